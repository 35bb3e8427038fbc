import { defineConfig, parseConfig, url } from '@fiscal/kit/config';

const dlqConfig = defineConfig({
  adminUrl: {
    env: 'FISCAL_ADMIN_URL',
    type: url({ protocols: ['http', 'https'] }),
    default: 'http://127.0.0.1:9090',
    doc: 'Admin endpoint `fiscal dlq` talks to (a running process that consumes the group).',
  },
});

export const dlqUsage = `fiscal dlq list <group> [--limit N]      dead letters of a consumer group, with their errors
fiscal dlq redrive <group> [id...]        put them (or the named ones) back on the group's queue
fiscal dlq purge <group> [id...]          delete them (or the named ones)`;

/** Operators' client for dead letters, through a running process's admin port. */
export async function runDlq(args: string[], limit: number | undefined): Promise<number> {
  const [action, group, ...ids] = args;
  if (!action || !group || !['list', 'redrive', 'purge'].includes(action)) {
    console.error(`usage:\n${dlqUsage}`);
    return 2;
  }
  const { adminUrl } = parseConfig(dlqConfig);
  const base = `${adminUrl.replace(/\/$/, '')}/dead-letters/${encodeURIComponent(group)}`;
  const response =
    action === 'list'
      ? await fetch(`${base}${limit ? `?limit=${limit}` : ''}`)
      : await fetch(`${base}/${action}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(ids.length > 0 ? { ids } : {}),
        });
  const body = await response.text();
  if (!response.ok) {
    console.error(`fiscal dlq: ${response.status} ${body}`);
    return 1;
  }
  console.log(JSON.stringify(JSON.parse(body), null, 2));
  return 0;
}

export { dlqConfig };
