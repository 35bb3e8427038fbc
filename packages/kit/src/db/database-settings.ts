import { defineConfig, string, url } from '../config/index.js';

/** Where a service's own PostgreSQL database is, for `fiscal serve` and the commands that administer it. */
export const databaseConfig = defineConfig({
  databaseUrl: {
    env: 'FISCAL_DATABASE_URL',
    type: url({ protocols: ['postgres', 'postgresql'] }),
    doc: "The service's own PostgreSQL database (distributed mode).",
  },
  databaseSchema: {
    env: 'FISCAL_DATABASE_SCHEMA',
    type: string(),
    default: '',
    doc: "Schema inside that database (default: the service's name).",
  },
});
