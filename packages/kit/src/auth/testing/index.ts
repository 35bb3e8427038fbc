export { createTestTokenIssuer, type TestCaller, type TestTokenIssuer } from './test-token-issuer.js';
