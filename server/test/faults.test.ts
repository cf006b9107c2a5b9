import { singleServer } from './helpers.js';
import { faultSuite } from './suites/faults.js';

faultSuite('one server', singleServer);
