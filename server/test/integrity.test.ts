import { singleServer } from './helpers.js';
import { integritySuite } from './suites/integrity.js';

integritySuite('one server', singleServer);
