import { invoiceMigrations } from '@fiscal/invoice';
import { parseConfig } from '@fiscal/kit/config';
import { createDatabase, type NamedMigration } from '@fiscal/kit/db';
import { queryMigrations } from '@fiscal/query';
import { databaseSettings } from '../database-settings.js';

const migrationsByService: Record<string, readonly NamedMigration[]> = {
  invoice: invoiceMigrations,
  query: queryMigrations,
};

/** Applies a service's migrations to its PostgreSQL database without starting it. */
export async function runMigrate(services: string[]): Promise<number> {
  const unknown = services.filter((service) => !(service in migrationsByService));
  if (services.length !== 1 || unknown.length > 0) {
    console.error(
      `fiscal migrate: name one service (each has its own FISCAL_DATABASE_URL): ${Object.keys(migrationsByService).join(', ')}`,
    );
    return 2;
  }
  const service = services[0]!;
  const settings = parseConfig(databaseSettings);
  const database = await createDatabase({
    engine: 'postgres',
    url: settings.databaseUrl,
    schema: settings.databaseSchema || service,
  });
  try {
    await database.migrate(migrationsByService[service]!);
    console.log(`fiscal migrate: ${service} is up to date`);
    return 0;
  } finally {
    await database.close();
  }
}
