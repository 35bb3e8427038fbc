import { analyticsMigrations } from '@fiscal/analytics';
import { authMigrations } from '@fiscal/auth';
import { distributedShardsConfig, invoiceMigrations, invoiceShardUrls } from '@fiscal/invoice';
import { defineConfig, parseConfig } from '@fiscal/kit/config';
import { createDatabase, databaseConfig, type NamedMigration } from '@fiscal/kit/db';
import { notificationMigrations } from '@fiscal/notification';
import { queryMigrations } from '@fiscal/query';

const migrationsByService: Record<string, readonly NamedMigration[]> = {
  invoice: invoiceMigrations,
  query: queryMigrations,
  auth: authMigrations,
  analytics: analyticsMigrations,
  notification: notificationMigrations,
};

const invoiceDatabaseSettings = defineConfig({
  ...databaseConfig,
  databaseUrl: { ...databaseConfig.databaseUrl, default: undefined },
  ...distributedShardsConfig,
});

/** Applies a service's migrations to its PostgreSQL database(s) (every invoice shard) without starting it. */
export async function runMigrate(services: string[]): Promise<number> {
  const unknown = services.filter((service) => !(service in migrationsByService));
  if (services.length !== 1 || unknown.length > 0) {
    console.error(
      `fiscal migrate: name one service (each has its own FISCAL_DATABASE_URL): ${Object.keys(migrationsByService).join(', ')}`,
    );
    return 2;
  }
  const service = services[0]!;
  const targets =
    service === 'invoice'
      ? (() => {
          const settings = parseConfig(invoiceDatabaseSettings);
          return invoiceShardUrls(settings).map((url) => ({ url, schema: settings.databaseSchema }));
        })()
      : (() => {
          const settings = parseConfig(databaseConfig);
          return [{ url: settings.databaseUrl, schema: settings.databaseSchema }];
        })();
  for (const target of targets) {
    const database = await createDatabase({
      engine: 'postgres',
      url: target.url,
      schema: target.schema || service,
    });
    try {
      await database.migrate(migrationsByService[service]!);
    } finally {
      await database.close();
    }
  }
  const shards = targets.length > 1 ? ` (${targets.length} shards)` : '';
  console.log(`fiscal migrate: ${service} is up to date${shards}`);
  return 0;
}
