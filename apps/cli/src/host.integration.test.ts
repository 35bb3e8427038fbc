import { spawn } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';

const cliDir = fileURLToPath(new URL('../', import.meta.url));
const hostScript = fileURLToPath(new URL('./testing/logging-host.mjs', import.meta.url));
/** Each source the child process runs, with the file it is built to. */
const builds = [
  ['src/host.ts', 'dist/host.js'],
  ['../../packages/kit/src/log/logger.ts', '../../packages/kit/dist/log/logger.js'],
].map(([source, built]) => ({ source: `${cliDir}${source}`, built: `${cliDir}${built}` }));

/** The child process runs the built host, so it must not be older than the source. */
function builtHostIsCurrent(): boolean {
  return builds.every(
    ({ source, built }) => existsSync(built) && statSync(built).mtimeMs >= statSync(source).mtimeMs,
  );
}

function runHost(
  lines: number,
  ending: 'sigterm' | 'crash',
): Promise<{ code: number | null; stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [hostScript, String(lines), ending], { cwd: cliDir });
    let stdout = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, stdout }));
  });
}

function sequencesOf(stdout: string): number[] {
  return stdout
    .split('\n')
    .filter((line) => line.includes('"message":"burst"'))
    .map((line) => (JSON.parse(line) as { sequence: number }).sequence);
}

describe('log lines of a host that stops', () => {
  beforeAll(async () => {
    if (builtHostIsCurrent()) return;
    const tsc = fileURLToPath(new URL('../../../node_modules/typescript/bin/tsc', import.meta.url));
    await new Promise<void>((resolve, reject) => {
      spawn(process.execPath, [tsc, '-b', cliDir], { stdio: 'ignore' }).once('exit', () =>
        builtHostIsCurrent() ? resolve() : reject(new Error('apps/cli did not build')),
      );
    });
  }, 300_000);

  const lines = 20_000;

  it('reach stdout complete and in order before a SIGTERM exits the process', async () => {
    const { code, stdout } = await runHost(lines, 'sigterm');
    expect(sequencesOf(stdout)).toEqual(Array.from({ length: lines }, (_, index) => index + 1));
    const last = stdout.indexOf('"message":"last line before the end"');
    expect(last).toBeGreaterThan(0);
    expect(stdout.indexOf('"message":"shutdown complete"')).toBeGreaterThan(last);
    expect(code).toBe(0);
  }, 30_000);

  it('reach stdout complete when a fatal error ends the process', async () => {
    const { code, stdout } = await runHost(lines, 'crash');
    expect(sequencesOf(stdout)).toHaveLength(lines);
    expect(stdout).toContain('"message":"last line before the end"');
    expect(code).not.toBe(0);
  }, 30_000);
});
