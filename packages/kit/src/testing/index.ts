export { type CountedDatabase, createCountedDatabase } from './counted-database.js';
export { createTestDatabase, type TestDatabase } from './databases.js';
export { type ExternalService, probeService, serviceUrls } from './services.js';
