import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createInProcessBus,
  createMemoryQueueStore,
  type EventBus,
  PermanentError,
} from '@fiscal/kit/events';
import { createAdminServer, listen } from '@fiscal/kit/http';
import { HealthRegistry } from '@fiscal/kit/lifecycle';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ensureAdminToken } from '../admin-token.js';
import { runDlq } from './dlq.js';

const logger = pino({ level: 'silent' });
const group = 'projector';

function refusedEvent() {
  const id = randomUUID();
  return {
    specversion: '1.0' as const,
    id,
    source: 'fiscal/test',
    type: 'fiscal.invoice.created',
    subject: id,
    time: new Date().toISOString(),
    datacontenttype: 'application/json' as const,
    dataschema: 'urn:fiscal:schema:fiscal.invoice.created:1.0',
    data: {},
    sequence: 1,
    tenant: 'org-1',
    partitionkey: id,
  };
}

async function printed(run: () => Promise<number>) {
  const lines: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((line: string) => void lines.push(line));
  const error = vi.spyOn(console, 'error').mockImplementation((line: string) => void lines.push(line));
  try {
    return { code: await run(), output: lines.join('\n') };
  } finally {
    log.mockRestore();
    error.mockRestore();
  }
}

describe('fiscal dlq', () => {
  const saved = { ...process.env };
  let dataDir: string;
  let bus: EventBus;
  let admin: ReturnType<typeof createAdminServer>;

  /** Dead letters as the admin port lists them, through the command. */
  const listed = async () => {
    const result = await printed(() => runDlq(['list', group], {}));
    expect(result.code).toBe(0);
    return (JSON.parse(result.output) as { deadLetters: { id: string }[] }).deadLetters;
  };

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'fiscal-cli-dlq-'));
    const { token } = await ensureAdminToken(dataDir);
    bus = createInProcessBus({
      store: createMemoryQueueStore(),
      logger,
      registry: new Registry(),
      pollIntervalMs: 10,
    });
    await bus.subscribe({
      group,
      types: ['fiscal.invoice.created'],
      handler: async () => {
        throw new PermanentError('refused');
      },
    });
    admin = createAdminServer({
      health: new HealthRegistry(),
      registry: new Registry(),
      logger,
      operatorToken: token,
      deadLetters: () => bus.deadLetters,
    });
    const port = await listen(admin, { host: '127.0.0.1', port: 0 });
    process.env.FISCAL_ADMIN_URL = `http://127.0.0.1:${port}`;
    process.env.FISCAL_DATA_DIR = dataDir;
    delete process.env.FISCAL_ADMIN_TOKEN;
    await bus.publish([refusedEvent(), refusedEvent(), refusedEvent()]);
    const deadline = Date.now() + 5_000;
    while ((await bus.deadLetters.list(group)).length < 3 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  });
  afterAll(async () => {
    process.env = saved;
    await admin.close();
    await bus.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('lists with the token a local fiscal start wrote when FISCAL_ADMIN_TOKEN is unset', async () => {
    expect(await listed()).toHaveLength(3);
  });

  it('sends FISCAL_ADMIN_TOKEN when it is set, and says what the admin port answered', async () => {
    process.env.FISCAL_ADMIN_TOKEN = 'a-token-that-is-long-enough-but-not-the-one';
    try {
      const result = await printed(() => runDlq(['list', group], {}));
      expect(result.code).toBe(1);
      expect(result.output).toContain('401');
      expect(result.output).toContain('operator_token_invalid');
    } finally {
      delete process.env.FISCAL_ADMIN_TOKEN;
    }
  });

  it('lists the consumer groups without a group, and refuses a group the process does not consume', async () => {
    const groups = await printed(() => runDlq(['list'], {}));
    expect(groups.code).toBe(0);
    expect(JSON.parse(groups.output)).toEqual({ groups: [group] });

    const unknown = await printed(() => runDlq(['list', 'projectr'], {}));
    expect(unknown.code).toBe(1);
    expect(unknown.output).toBe(
      'fiscal dlq: 404 consumer_group_not_found: No consumer group projectr here; this process consumes projector.',
    );
  });

  it.each([
    ['purge', 'neither ids nor --all', [group], false],
    ['purge', 'no group', [], true],
    ['purge', 'both ids and --all', [group, '1'], true],
    ['redrive', 'neither ids nor --all', [group], false],
  ])('refuses %s with %s, before calling the admin port', async (action, _case, groupAndIds, all) => {
    const result = await printed(() => runDlq([action, ...groupAndIds], { all }));
    expect(result.code).toBe(2);
    expect(result.output).toContain('usage');
    expect(await listed()).toHaveLength(3);
  });

  it('purges the named dead letters, then every one with --all', async () => {
    const [first] = await listed();

    const named = await printed(() => runDlq(['purge', group, first!.id], {}));
    expect(named.code).toBe(0);
    expect(JSON.parse(named.output)).toEqual({ purged: 1 });

    const unknown = await printed(() => runDlq(['purge', group, first!.id], {}));
    expect(unknown.code).toBe(1);
    expect(unknown.output).toContain('dead_letter_not_found');

    const all = await printed(() => runDlq(['purge', group], { all: true }));
    expect(JSON.parse(all.output)).toEqual({ purged: 2 });
    expect(await listed()).toEqual([]);
  });
});
