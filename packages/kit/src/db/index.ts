export { createDatabase, type Database, type DatabaseConfig, type NamedMigration } from './database.js';
export { EmbeddedPostgres, openEmbeddedPostgres } from './embedded-postgres.js';
