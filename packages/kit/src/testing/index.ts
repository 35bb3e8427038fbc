export { createTestDatabase, type TestDatabase } from './databases.js';
export { type ExternalService, probeService, serviceUrls } from './services.js';
