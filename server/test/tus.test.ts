import { singleServer } from './helpers.js';
import { TUS_ENV, tusSuite } from './suites/tus.js';

tusSuite('one server', () => singleServer(TUS_ENV));
