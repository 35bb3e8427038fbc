import { parseArgs } from 'node:util';
import { ConfigError } from '@fiscal/kit/config';
import { runCluster } from './commands/cluster.js';
import { runDlq } from './commands/dlq.js';
import { runKeys } from './commands/keys.js';
import { runLoad } from './commands/load.js';
import { runMigrate } from './commands/migrate.js';
import { runReplay } from './commands/replay.js';
import { runRetention } from './commands/retention.js';
import { runServe } from './commands/serve.js';
import { runShards } from './commands/shards.js';
import { runStart } from './commands/start.js';
import { runUsers } from './commands/users.js';
import { runValidate } from './commands/validate.js';
import { configReferenceMarkdown } from './config-reference.js';

const usage = `fiscal — ingest, validate, archive and report on fiscal invoices

Usage:
  fiscal start [--memory]      every service in one process on embedded engines (PGlite, in-process bus)
  fiscal serve <service>       one service against PostgreSQL, RabbitMQ and Redis
                               services: gateway, auth, invoice, invoice-worker, query, analytics, notification
  fiscal migrate <service>     apply a service's database migrations (FISCAL_DATABASE_URL)
  fiscal users create --org <id> --email <e> --role admin|analyst|viewer [--password-stdin]
                               create a user on the auth database (embedded: with fiscal start stopped)
  fiscal keys rotate           new signing key; tokens of the previous key stay valid until they expire
  fiscal replay query          rebuild the query read model from the invoice service's event log
  fiscal shards plan|move --to <map>
                               re-shard the invoice store: the slot ranges that move, then move them
  fiscal dlq list <group> | fiscal dlq <redrive|purge> <group> <id...>|--all
                               dead letters of a consumer group, through a running process's admin port
                               (FISCAL_ADMIN_TOKEN, or the local fiscal start's <FISCAL_DATA_DIR>/admin-token)
  fiscal validate <file.xml...> [--json] [--allow-unstamped]
                               validate CFDI 4.0 documents as the processor does (exit 0 valid, 1 not, 2 unreadable)
  fiscal load [--count N] [--batch N] [--concurrency N] [--url URL] [--seed N] [--unstamped] [--wait] [--email E]
                               generate sealed CFDI 4.0 invoices and submit them to a gateway, reporting the rate
                               (FISCAL_TOKEN, or FISCAL_PASSWORD, or the local bootstrap admin's password file)
  fiscal cluster up|status|down [--port P] [--dir D] [--purge]
                               the distributed system on this machine: every service its own process,
                               two gateways behind HAProxy, two workers, two shards (local engines)
  fiscal retention run <service> [--dry-run] [--json]
                               remove what is past retention: invoice months and their archived originals
                               (FISCAL_RETENTION_YEARS), event-log months, consumers' inboxes; reports it
  fiscal config                every FISCAL_* variable, its default and what it does
  fiscal help                  this text

Configuration is read from FISCAL_* environment variables; see the README.`;

/** Commands that read their own options. */
const commandsWithOwnOptions: Record<string, (args: string[]) => Promise<number>> = {
  users: runUsers,
  keys: runKeys,
  replay: runReplay,
  cluster: runCluster,
  retention: runRetention,
};

async function main(argv: string[]): Promise<number | undefined> {
  const ownOptions = argv[0] === undefined ? undefined : commandsWithOwnOptions[argv[0]];
  if (ownOptions) return ownOptions(argv.slice(1));
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      memory: { type: 'boolean', default: false },
      all: { type: 'boolean', default: false },
      limit: { type: 'string' },
      to: { type: 'string' },
      json: { type: 'boolean', default: false },
      'allow-unstamped': { type: 'boolean', default: false },
      count: { type: 'string' },
      batch: { type: 'string' },
      concurrency: { type: 'string' },
      url: { type: 'string' },
      seed: { type: 'string' },
      unstamped: { type: 'boolean', default: false },
      wait: { type: 'boolean', default: false },
      email: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [command, ...rest] = positionals;
  if (values.help || command === undefined || command === 'help') {
    console.log(usage);
    return command === undefined && !values.help ? 2 : 0;
  }
  switch (command) {
    case 'start':
      await runStart({ memory: values.memory ?? false });
      return undefined;
    case 'serve':
      return runServe(rest[0]);
    case 'dlq':
      return runDlq(rest, {
        limit: values.limit === undefined ? undefined : Number(values.limit),
        all: values.all ?? false,
      });
    case 'config':
      console.log(configReferenceMarkdown());
      return 0;
    case 'migrate':
      return runMigrate(rest);
    case 'validate':
      return runValidate(rest, {
        json: values.json ?? false,
        allowUnstamped: values['allow-unstamped'] ?? false,
      });
    case 'load':
      return runLoad({
        count: Number(values.count ?? 1_000),
        batch: Number(values.batch ?? 100),
        concurrency: Number(values.concurrency ?? 4),
        url: (values.url ?? 'http://127.0.0.1:8080').replace(/\/$/, ''),
        seed: Number(values.seed ?? 1),
        unstamped: values.unstamped ?? false,
        wait: values.wait ?? false,
        credentials: {
          token: process.env.FISCAL_TOKEN,
          email: values.email ?? process.env.FISCAL_BOOTSTRAP_ADMIN_EMAIL ?? 'admin@localhost',
          password: process.env.FISCAL_PASSWORD,
          dataDir: process.env.FISCAL_DATA_DIR ?? './data',
        },
      });
    case 'shards':
      return runShards(rest, values.to);
    default:
      console.error(`fiscal: unknown command "${command}"\n\n${usage}`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    // Long-running commands keep the event loop alive and exit through the shutdown orchestrator.
    if (code !== undefined && code !== 0) process.exit(code);
  },
  (error: unknown) => {
    if (error instanceof ConfigError) {
      console.error(`fiscal: invalid configuration\n${error.message}`);
      process.exit(2);
    }
    console.error('fiscal: failed to start', error);
    process.exit(1);
  },
);
