import { type ParseArgsConfig, parseArgs } from 'node:util';
import { integer, type Parser } from '@fiscal/kit/config';
import { usageOf } from './usage.js';

/**
 * A mistake on the command line (an unknown option, a value out of range, a credential missing):
 * said in one line, exit code 2, no stack trace; followed by the command's usage when it was
 * typed wrong.
 */
export class CommandLineError extends Error {
  constructor(
    message: string,
    readonly exitCode = 2,
    readonly usage?: string,
  ) {
    super(message);
    this.name = 'CommandLineError';
  }
}

type Options = NonNullable<ParseArgsConfig['options']>;

/** The options of each command main reads itself; the others (users, keys, …) read their own. */
export const commandOptions = {
  start: { memory: { type: 'boolean' } },
  serve: {},
  migrate: {},
  config: {},
  dlq: { limit: { type: 'string' }, all: { type: 'boolean' } },
  validate: { json: { type: 'boolean' }, 'allow-unstamped': { type: 'boolean' } },
  load: {
    count: { type: 'string' },
    batch: { type: 'string' },
    concurrency: { type: 'string' },
    url: { type: 'string' },
    seed: { type: 'string' },
    unstamped: { type: 'boolean' },
    wait: { type: 'boolean' },
    email: { type: 'string' },
  },
  shards: { to: { type: 'string' } },
} satisfies Record<string, Options>;

export type CommandName = keyof typeof commandOptions;

/** The commands that read their own options, beside those main reads. */
type OwnOptionsCommand = 'users' | 'keys' | 'replay' | 'cluster' | 'retention';

export function isCommandName(name: string): name is CommandName {
  return Object.hasOwn(commandOptions, name);
}

/** The positionals and options of `command`: strict, so an option of another command is refused. */
export function readCommandLine(
  command: CommandName,
  args: string[],
): { positionals: string[]; values: Record<string, string | boolean | undefined> } {
  try {
    return parseArgs({
      args,
      allowPositionals: true,
      strict: true,
      options: { ...(commandOptions[command] as Options), help: { type: 'boolean', short: 'h' } },
    });
  } catch (error) {
    throw commandLineErrorOf(command, error);
  }
}

/**
 * parseArgs' refusal (an unknown option, a missing value) as one line, then the command's usage:
 * its first sentence is the point, the rest a hint about `--`. Anything else is returned as it is.
 */
export function commandLineErrorOf(command: string, error: unknown): unknown {
  if (!String((error as { code?: unknown }).code).startsWith('ERR_PARSE_ARGS_')) return error;
  const [reason] = (error as Error).message.split(/\.(?:\s|$)/);
  return new CommandLineError(`fiscal ${command}: ${reason}`, 2, usageOf(command));
}

/** A numeric option through the kit's parsers, as the environment's are: its default when absent. */
export function numericOption(
  command: CommandName | OwnOptionsCommand,
  name: string,
  raw: string | boolean | undefined,
  parser: Parser<number>,
  fallback: number,
): number;
export function numericOption(
  command: CommandName | OwnOptionsCommand,
  name: string,
  raw: string | boolean | undefined,
  parser: Parser<number>,
): number | undefined;
export function numericOption(
  command: CommandName | OwnOptionsCommand,
  name: string,
  raw: string | boolean | undefined,
  parser: Parser<number>,
  fallback?: number,
): number | undefined {
  if (raw === undefined) return fallback;
  const parsed = parser.parse(String(raw));
  if (parsed.ok) return parsed.value;
  throw new CommandLineError(`fiscal ${command}: --${name} must be ${parsed.expected}, not "${raw}"`);
}

/** An http(s) base URL without its trailing slash. */
export function baseUrlOption(command: CommandName, name: string, raw: string | undefined, fallback: string) {
  const text = raw ?? fallback;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new CommandLineError(`fiscal ${command}: --${name} must be an http(s) URL, not "${text}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new CommandLineError(`fiscal ${command}: --${name} must be an http(s) URL, not "${text}"`);
  return text.replace(/\/$/, '');
}

export const loadLimits = {
  count: integer({ min: 1, max: 10_000_000 }),
  // The gateway's batch endpoint takes at most 1,000 items.
  batch: integer({ min: 1, max: 1_000 }),
  concurrency: integer({ min: 1, max: 256 }),
  // The generator takes a 32-bit seed; a run's documents take seed, seed + 1, and so on.
  seed: integer({ min: 0, max: 2 ** 32 - 1 }),
};

export const dlqLimit = integer({ min: 1, max: 10_000 });
