import { ConfigError, defineConfig, string, url } from '@fiscal/kit/config';

/** Where a service's own PostgreSQL database is, for `fiscal serve` and `fiscal migrate`. */
export const databaseSettings = defineConfig({
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

/** Invoice shard URLs: FISCAL_INVOICE_SHARD_URLS, or FISCAL_DATABASE_URL as the one shard. */
export function invoiceShardUrls(settings: {
  invoiceShardUrls: string[];
  databaseUrl?: string | undefined;
}): string[] {
  if (settings.invoiceShardUrls.length > 0) return settings.invoiceShardUrls;
  if (settings.databaseUrl) return [settings.databaseUrl];
  throw new ConfigError([
    'FISCAL_INVOICE_SHARD_URLS: required (or FISCAL_DATABASE_URL for a single invoice shard)',
  ]);
}
