import { singleServer } from './helpers.js';
import { uploadSuite } from './suites/upload.js';

uploadSuite('one server', singleServer);
