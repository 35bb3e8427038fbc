import { spawnSync } from 'node:child_process';

/**
 * Whether a command-line tool the deployment tests drive (kubectl, promtool, haproxy) runs here.
 * Absent, its tests skip with a message naming the tool, except under FISCAL_REQUIRE_SERVICES=1
 * (CI, whose .ci/engines.sh installs them), where an absent tool is a failure.
 */
export function probeTool(command: string, versionArgs: string[], installHint: string): boolean {
  const result = spawnSync(command, versionArgs, { stdio: 'ignore', timeout: 30_000 });
  const present = result.error === undefined && result.status === 0;
  if (!present) {
    const message = `${command} is not installed (${installHint}): its tests are skipped`;
    if (process.env.FISCAL_REQUIRE_SERVICES === '1') {
      throw new Error(`${message}, but FISCAL_REQUIRE_SERVICES=1 requires it`);
    }
    console.warn(message);
  }
  return present;
}

/** Runs a tool to completion, its output kept for the assertion message. */
export function runTool(
  command: string,
  args: string[],
  options: { cwd?: string; input?: string } = {},
): { status: number | null; output: string } {
  const result = spawnSync(command, args, {
    cwd: options.cwd,
    input: options.input,
    encoding: 'utf8',
    timeout: 120_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.error) throw result.error;
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}
