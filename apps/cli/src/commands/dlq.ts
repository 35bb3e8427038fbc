import { commonConfig, defineConfig, parseConfig, string, url } from '@fiscal/kit/config';
import { readAdminToken } from '../admin-token.js';

const dlqConfig = defineConfig({
  adminUrl: {
    env: 'FISCAL_ADMIN_URL',
    type: url({ protocols: ['http', 'https'] }),
    default: 'http://127.0.0.1:9090',
    doc: 'Admin endpoint `fiscal dlq` talks to (a running process that consumes the group).',
  },
  adminToken: commonConfig.adminToken,
  dataDir: {
    env: 'FISCAL_DATA_DIR',
    type: string(),
    default: './data',
    doc: 'Where embedded mode keeps its database, archived documents and the operator token it generated.',
  },
});

export const dlqUsage = `fiscal dlq list                          the consumer groups of the process
fiscal dlq list <group> [--limit N]      dead letters of a consumer group, with their errors
fiscal dlq redrive <group> <id...>|--all  put the named ones (or every one) back on the group's queue
fiscal dlq purge <group> <id...>|--all    delete the named ones (or every one)
The operator token is FISCAL_ADMIN_TOKEN, or the one a local fiscal start wrote to <FISCAL_DATA_DIR>/admin-token.`;

/** Operators' client for dead letters, through a running process's admin port. */
export async function runDlq(
  args: string[],
  options: { limit?: number | undefined; all?: boolean },
): Promise<number> {
  const [action, group, ...ids] = args;
  const all = options.all ?? false;
  const known = action === 'list' || action === 'redrive' || action === 'purge';
  // Redrive and purge name a group and what they act on, or say --all; never neither, never both.
  const selects = action === 'list' || (group !== undefined && ids.length > 0 !== all);
  if (!known || !selects) {
    console.error(`usage:\n${dlqUsage}`);
    return 2;
  }
  const settings = parseConfig(dlqConfig);
  const token = settings.adminToken ?? (await readAdminToken(settings.dataDir));
  const authorization: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
  const groups = `${settings.adminUrl.replace(/\/$/, '')}/dead-letters`;
  const base = `${groups}/${encodeURIComponent(group ?? '')}`;
  const response =
    group === undefined
      ? await fetch(groups, { headers: authorization })
      : action === 'list'
        ? await fetch(`${base}${options.limit ? `?limit=${options.limit}` : ''}`, { headers: authorization })
        : await fetch(`${base}/${action}`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', ...authorization },
            body: JSON.stringify(all ? { all: true } : { ids }),
          });
  const body = await response.text();
  if (!response.ok) {
    console.error(`fiscal dlq: ${response.status} ${problemOf(body) ?? body}`);
    return 1;
  }
  console.log(JSON.stringify(JSON.parse(body), null, 2));
  return 0;
}

/** A problem+json answer as its code and what it says; undefined for anything else. */
function problemOf(body: string): string | undefined {
  try {
    const problem = JSON.parse(body) as { code?: unknown; detail?: unknown };
    if (typeof problem.code === 'string' && typeof problem.detail === 'string')
      return `${problem.code}: ${problem.detail}`;
  } catch {
    // Not JSON: said as it came.
  }
  return undefined;
}

export { dlqConfig };
