// `npm run bench -- <name> [arguments]`: runs bench/<name>.mjs (or a short name: pipeline) with the
// arguments after the name. Without a name, lists the benchmarks.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';

const shortNames = { pipeline: 'pipeline-cost' };
const [name, ...args] = process.argv.slice(2);
const file = name && new URL(`${shortNames[name] ?? name}.mjs`, import.meta.url).pathname;
if (!file || name === 'run' || !existsSync(file)) {
  const available = readdirSync(new URL('.', import.meta.url))
    .filter((entry) => entry.endsWith('.mjs') && entry !== 'run.mjs')
    .map((entry) => entry.replace(/\.mjs$/, ''));
  console.error(`usage: npm run bench -- <name> [arguments]; names: pipeline, ${available.join(', ')}`);
  process.exit(2);
}
const child = spawn(process.execPath, [file, ...args], { stdio: 'inherit' });
// Ctrl-C reaches the benchmark directly (same process group), which cleans up and exits; a SIGTERM
// sent to this process alone is passed on.
process.on('SIGINT', () => {});
process.on('SIGTERM', () => child.kill('SIGTERM'));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
