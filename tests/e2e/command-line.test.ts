import { spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, runFiscal } from '../support/fiscal-process.js';

/** One line on stderr, exit code 2, no stack trace: what a mistake on the command line gets. */
function expectRefusal(run: { code: number | null; output: string }, says: RegExp) {
  expect(run.code, run.output).toBe(2);
  const lines = run.output.trim().split('\n');
  expect(lines, run.output).toHaveLength(1);
  expect(lines[0]).toMatch(says);
  expect(run.output).not.toMatch(/^\s+at /m);
}

describe('the fiscal command line refuses what it cannot do, in one line', () => {
  let emptyDataDir: string;
  // No credentials of the developer's shell may reach the refusals below.
  const noCredentials = { FISCAL_TOKEN: '', FISCAL_PASSWORD: '' };

  beforeAll(async () => {
    emptyDataDir = await mkdtemp(join(tmpdir(), 'fiscal-cli-'));
  });
  afterAll(async () => {
    await rm(emptyDataDir, { recursive: true, force: true });
  });

  it.each([
    [['load', '--batch', '0'], /^fiscal load: --batch must be an integer between 1 and 1000, not "0"$/],
    [['load', '--count', 'abc'], /^fiscal load: --count must be an integer between 1 and \d+, not "abc"$/],
    [['load', '--concurrency', '2.5'], /^fiscal load: --concurrency must be an integer/],
    [['load', '--url', 'ftp://files.example.com'], /^fiscal load: --url must be an http\(s\) URL/],
    [['dlq', 'list', 'query', '--limit=0'], /^fiscal dlq: --limit must be an integer between 1 and 10000/],
    [['cluster', 'up', '--port', 'http'], /^fiscal cluster: --port must be an integer between 1 and 65535/],
  ])('fiscal %j', async (args, says) => {
    expectRefusal(await runFiscal(args, noCredentials), says);
  });

  it.each([
    [['start', '--count', '5'], /^fiscal start: Unknown option '--count'$/, /^ {2}fiscal start \[--memory\]/],
    [
      ['validate', '--memory', 'a.xml'],
      /^fiscal validate: Unknown option '--memory'$/,
      /^ {2}fiscal validate </,
    ],
    [
      ['load', '--wait=yes'],
      /^fiscal load: Option '--wait' does not take an argument$/,
      /^ {2}fiscal load \[/,
    ],
    // Commands that read their own options refuse theirs the same way.
    [
      ['retention', 'run', 'invoice', '--bogus'],
      /^fiscal retention: Unknown option '--bogus'$/,
      /^ {2}fiscal retention run </,
    ],
    [
      ['users', 'create', '--count', '3'],
      /^fiscal users: Unknown option '--count'$/,
      /^ {2}fiscal users create /,
    ],
  ])('fiscal %j says what is wrong, then how the command is used', async (args, says, usage) => {
    const run = await runFiscal(args, noCredentials);
    expect(run.code, run.output).toBe(2);
    const [reason, blank, heading, ...usageLines] = run.output.trimEnd().split('\n');
    expect(reason).toMatch(says);
    expect([blank, heading]).toEqual(['', 'Usage:']);
    expect(usageLines[0]).toMatch(usage);
    // The command's own lines, not every command's.
    expect(run.output.match(/^ {2}fiscal /gm)).toHaveLength(1);
    expect(run.output).not.toMatch(/^\s+at /m);
  });

  it('says which credential is missing instead of printing a stack trace', async () => {
    const run = await runFiscal(['load', '--count', '1', '--url', 'http://127.0.0.1:9'], {
      ...noCredentials,
      FISCAL_DATA_DIR: emptyDataDir,
    });
    expectRefusal(run, /^fiscal: no token \(FISCAL_TOKEN\) or password \(FISCAL_PASSWORD\) given/);
  });

  it('says which gateway it cannot reach, and exits 1', async () => {
    const run = await runFiscal(['load', '--count', '1', '--url', 'http://127.0.0.1:9'], {
      ...noCredentials,
      FISCAL_PASSWORD: 'secret',
    });
    expect(run.code, run.output).toBe(1);
    expect(run.output.trim()).toMatch(/^fiscal: cannot reach http:\/\/127\.0\.0\.1:9 \(.+\)$/);
  });

  describe('a port another process holds', () => {
    let holder: ReturnType<typeof createServer>;
    let taken: number;
    beforeAll(async () => {
      holder = createServer().listen(0, '127.0.0.1');
      await once(holder, 'listening');
      taken = (holder.address() as { port: number }).port;
    });
    afterAll(() => {
      holder.close();
    });

    it.each([
      ['FISCAL_HTTP_PORT', 'FISCAL_ADMIN_PORT'],
      ['FISCAL_ADMIN_PORT', 'FISCAL_HTTP_PORT'],
    ])('is one line naming %s, and exits 1', async (setting, other) => {
      const run = await runFiscal(['start', '--memory'], {
        [setting]: String(taken),
        [other]: String(await freePort()),
      });
      expect(run.code, run.output).toBe(1);
      expect(run.output.trim()).toBe(
        `fiscal: 127.0.0.1:${taken} is already in use; set ${setting} to a free port (0 picks one)`,
      );
    });
  });
});

describe('fiscal before the first build', () => {
  let checkout: string;
  beforeAll(async () => {
    // The command as a fresh checkout has it: its bin and package.json, no dist/ beside them.
    checkout = await mkdtemp(join(tmpdir(), 'fiscal-unbuilt-'));
    await mkdir(join(checkout, 'bin'));
    await copyFile(
      fileURLToPath(new URL('../../apps/cli/bin/fiscal.js', import.meta.url)),
      join(checkout, 'bin', 'fiscal.js'),
    );
    await writeFile(join(checkout, 'package.json'), JSON.stringify({ type: 'module' }));
  });
  afterAll(async () => {
    await rm(checkout, { recursive: true, force: true });
  });

  it('says what to run instead of printing a stack trace', () => {
    const run = spawnSync(process.execPath, [join(checkout, 'bin', 'fiscal.js'), 'start'], {
      encoding: 'utf8',
    });
    expect(run.status).toBe(1);
    expect(`${run.stdout}${run.stderr}`.trim()).toBe(
      'fiscal: not built yet; run `npm run build` first (or `npm start`, which builds and starts)',
    );
  });
});
