import { singleServer } from './helpers.js';
import { ietfSuite } from './suites/ietf.js';

ietfSuite('one server', () => singleServer());
