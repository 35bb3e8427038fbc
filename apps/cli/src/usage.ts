/** Each command's lines of `fiscal help`, in the order it lists them. */
const commandUsage: Record<string, string> = {
  start: `  fiscal start [--memory]      every service in one process on embedded engines (PGlite, in-process bus)`,
  serve: `  fiscal serve <service>       one service against PostgreSQL, RabbitMQ and Redis
                               services: gateway, auth, invoice, invoice-worker, query, analytics, notification`,
  migrate: `  fiscal migrate <service>     apply a service's database migrations (FISCAL_DATABASE_URL)`,
  users: `  fiscal users create --org <id> --email <e> --role admin|analyst|viewer [--password-stdin]
                               create a user on the auth database (embedded: with fiscal start stopped)`,
  keys: `  fiscal keys rotate           new signing key; tokens of the previous key stay valid until they expire`,
  replay: `  fiscal replay query          rebuild the query read model from the invoice service's event log`,
  shards: `  fiscal shards plan|move --to <map>
                               re-shard the invoice store: the slot ranges that move, then move them`,
  dlq: `  fiscal dlq list [<group>] | fiscal dlq <redrive|purge> <group> <id...>|--all
                               dead letters of a consumer group (without one: the groups), through a running
                               process's admin port, FISCAL_ADMIN_URL (FISCAL_ADMIN_TOKEN, or the local
                               fiscal start's <FISCAL_DATA_DIR>/admin-token)`,
  validate: `  fiscal validate <file.xml...> [--json] [--allow-unstamped]
                               validate CFDI 4.0 documents as the processor does (exit 0 valid, 1 not, 2 unreadable)`,
  load: `  fiscal load [--count N] [--batch N] [--concurrency N] [--url URL] [--seed N] [--unstamped] [--wait] [--email E]
                               generate sealed CFDI 4.0 invoices and submit them to a gateway, reporting the rate;
                               each run a new random --seed unless one is given (FISCAL_TOKEN, or FISCAL_PASSWORD,
                               or the local bootstrap admin's password file)`,
  cluster: `  fiscal cluster up|status|down [--port P] [--dir D] [--purge]
                               the distributed system on this machine: every service its own process,
                               two gateways behind HAProxy, two workers, two shards (local engines)`,
  retention: `  fiscal retention run <service> [--dry-run] [--json]
                               remove what is past retention: invoice months and their archived originals
                               (FISCAL_RETENTION_YEARS), event-log months, consumers' inboxes; reports it`,
  config: `  fiscal config                every FISCAL_* variable, its default and what it does`,
  help: `  fiscal help                  this text`,
};

export const usage = `fiscal — ingest, validate, archive and report on fiscal invoices

Usage:
${Object.values(commandUsage).join('\n')}

Configuration is read from FISCAL_* environment variables; see the README.`;

/** The usage of one command, as `fiscal help` gives it; the whole text for a name it does not list. */
export function usageOf(command: string): string {
  return Object.hasOwn(commandUsage, command) ? `Usage:\n${commandUsage[command]}` : usage;
}
