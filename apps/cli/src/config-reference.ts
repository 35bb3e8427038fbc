import { type ConfigReferenceRow, describeConfig } from '@fiscal/kit/config';
import { dlqConfig } from './commands/dlq.js';
import { serveConfigs, serviceConfigs } from './commands/serve.js';
import { embeddedConfig } from './commands/start.js';

/** Every FISCAL_* variable any command reads, each once, for `fiscal config` and the README. */
export function configReference(): ConfigReferenceRow[] {
  const rows = new Map<string, ConfigReferenceRow>();
  for (const spec of [
    embeddedConfig,
    serveConfigs.backendConfig,
    serveConfigs.invoiceWorkerConfig,
    serveConfigs.gatewayConfig,
    serveConfigs.authServiceConfig,
    serveConfigs.notificationServiceConfig,
    ...Object.values(serviceConfigs),
    dlqConfig,
  ]) {
    for (const row of describeConfig(spec)) if (!rows.has(row.env)) rows.set(row.env, row);
  }
  return [...rows.values()];
}

export function configReferenceMarkdown(): string {
  const escapeCell = (text: string) => text.replaceAll('|', '\\|');
  const lines = ['| variable | default | what it does |', '|---|---|---|'];
  for (const row of configReference())
    lines.push(`| \`${row.env}\` | ${escapeCell(row.default)} | ${escapeCell(row.doc)} |`);
  return lines.join('\n');
}
