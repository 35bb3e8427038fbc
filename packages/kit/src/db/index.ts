export { afterCommit } from './commit-hooks.js';
export { createDatabase, type Database, type DatabaseConfig, type NamedMigration } from './database.js';
export { databaseConfig } from './database-settings.js';
export { EmbeddedPostgres, openEmbeddedPostgres } from './embedded-postgres.js';
