import { singleServer } from './helpers.js';
import { ownerSuite } from './suites/owners.js';

ownerSuite('one server', singleServer);
