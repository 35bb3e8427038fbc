import { ConfigError } from '@fiscal/kit/config';
import { PortInUseError } from '@fiscal/kit/net';
import {
  baseUrlOption,
  CommandLineError,
  commandLineErrorOf,
  dlqLimit,
  isCommandName,
  loadLimits,
  numericOption,
  readCommandLine,
} from './command-line.js';
import { usage } from './usage.js';

// Each command's module is loaded when it runs: `fiscal validate` and `fiscal load` need the CFDI
// library, not every service and engine the platform's commands pull in (1.6 s and 165 MB to
// validate one document when all were loaded up front).

/** Commands that read their own options. */
const commandsWithOwnOptions: Record<string, (args: string[]) => Promise<number>> = {
  users: async (args) => (await import('./commands/users.js')).runUsers(args),
  keys: async (args) => (await import('./commands/keys.js')).runKeys(args),
  replay: async (args) => (await import('./commands/replay.js')).runReplay(args),
  cluster: async (args) => (await import('./commands/cluster.js')).runCluster(args),
  retention: async (args) => (await import('./commands/retention.js')).runRetention(args),
};

async function main(argv: string[]): Promise<number | undefined> {
  const [command, ...args] = argv;
  if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
    console.log(usage);
    return command === undefined ? 2 : 0;
  }
  const ownOptions = commandsWithOwnOptions[command];
  if (ownOptions) {
    try {
      return await ownOptions(args);
    } catch (error) {
      throw commandLineErrorOf(command, error);
    }
  }
  if (!isCommandName(command)) {
    console.error(`fiscal: unknown command "${command}"\n\n${usage}`);
    return 2;
  }
  const { positionals, values } = readCommandLine(command, args);
  if (values.help) {
    console.log(usage);
    return 0;
  }
  switch (command) {
    case 'start':
      await (await import('./commands/start.js')).runStart({ memory: values.memory === true });
      return undefined;
    case 'serve':
      return (await import('./commands/serve.js')).runServe(positionals[0]);
    case 'dlq':
      return (await import('./commands/dlq.js')).runDlq(positionals, {
        limit: numericOption(command, 'limit', values.limit, dlqLimit),
        all: values.all === true,
      });
    case 'config':
      console.log((await import('./config-reference.js')).configReferenceMarkdown());
      return 0;
    case 'migrate':
      return (await import('./commands/migrate.js')).runMigrate(positionals);
    case 'validate':
      return (await import('./commands/validate.js')).runValidate(positionals, {
        json: values.json === true,
        allowUnstamped: values['allow-unstamped'] === true,
      });
    case 'load':
      return (await import('./commands/load.js')).runLoad({
        count: numericOption(command, 'count', values.count, loadLimits.count, 1_000),
        batch: numericOption(command, 'batch', values.batch, loadLimits.batch, 100),
        concurrency: numericOption(command, 'concurrency', values.concurrency, loadLimits.concurrency, 4),
        url: baseUrlOption(command, 'url', stringValue(values.url), 'http://127.0.0.1:8080'),
        seed: numericOption(command, 'seed', values.seed, loadLimits.seed),
        unstamped: values.unstamped === true,
        wait: values.wait === true,
        credentials: {
          // An empty variable is no credential.
          token: process.env.FISCAL_TOKEN || undefined,
          email: stringValue(values.email) ?? process.env.FISCAL_BOOTSTRAP_ADMIN_EMAIL ?? 'admin@localhost',
          password: process.env.FISCAL_PASSWORD || undefined,
          dataDir: process.env.FISCAL_DATA_DIR ?? './data',
        },
      });
    case 'shards':
      return (await import('./commands/shards.js')).runShards(positionals, stringValue(values.to));
  }
}

function stringValue(value: string | boolean | undefined): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

main(process.argv.slice(2)).then(
  (code) => {
    // Long-running commands keep the event loop alive and exit through the shutdown orchestrator.
    if (code !== undefined && code !== 0) exitOnceWritten(code);
  },
  (error: unknown) => {
    if (error instanceof CommandLineError) {
      console.error(error.usage === undefined ? error.message : `${error.message}\n\n${error.usage}`);
      exitOnceWritten(error.exitCode);
    } else if (error instanceof PortInUseError) {
      console.error(`fiscal: ${error.message}`);
      exitOnceWritten(1);
    } else if (error instanceof ConfigError) {
      console.error(`fiscal: invalid configuration\n${error.message}`);
      exitOnceWritten(2);
    } else {
      console.error('fiscal: failed to start', error);
      exitOnceWritten(1);
    }
  },
);

/**
 * Exits once stdout and stderr have handed the OS everything written to them. Writes to a pipe are
 * asynchronous, and a pipe takes 64 KiB at a time: `process.exit` at once cut `fiscal validate
 * --json … | jq` short there. An empty write's callback runs after every write before it.
 */
function exitOnceWritten(code: number): void {
  let pending = 2;
  const written = () => {
    pending -= 1;
    if (pending === 0) process.exit(code);
  };
  process.stdout.write('', written);
  process.stderr.write('', written);
}
