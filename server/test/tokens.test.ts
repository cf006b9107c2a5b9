import { singleServer } from './helpers.js';
import { TOKENS_ENV, tokenSuite } from './suites/tokens.js';

tokenSuite('one server', () => singleServer(TOKENS_ENV));
