import type { Parser } from './parsers.js';

export interface Field<T> {
  env: string;
  type: Parser<T>;
  /** Omitted: the variable is required. `undefined` explicitly: optional with no value. */
  default?: T | undefined;
  doc: string;
}

export type ConfigSpec = Record<string, Field<unknown>>;

type ValueOf<F> =
  F extends Field<infer T>
    ? 'default' extends keyof F
      ? undefined extends F['default']
        ? T | undefined
        : T
      : T
    : never;

/** The typed configuration a spec parses into. */
export type ConfigOf<S extends ConfigSpec> = { [Key in keyof S]: ValueOf<S[Key]> };

/** A bad or missing configuration: one line per offending variable, all found at once. */
export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(problems.join('\n'));
    this.name = 'ConfigError';
  }
}

/** Identity with inference: keeps each field's value type for `parseConfig`. */
export function defineConfig<const S extends ConfigSpec>(spec: S): S {
  return spec;
}

export function field<T>(definition: Field<T>): Field<T> {
  return definition;
}

export function parseConfig<S extends ConfigSpec>(
  spec: S,
  env: Record<string, string | undefined> = process.env,
): ConfigOf<S> {
  const problems: string[] = [];
  const config: Record<string, unknown> = {};
  for (const [key, definition] of Object.entries(spec)) {
    const raw = env[definition.env];
    if (raw === undefined || raw === '') {
      if ('default' in definition) config[key] = definition.default;
      else problems.push(`${definition.env}: required (${definition.doc})`);
      continue;
    }
    const result = definition.type.parse(raw);
    if (result.ok) config[key] = result.value;
    else {
      const shown = definition.type.secret ? 'a value that is not' : `"${raw}"`;
      problems.push(`${definition.env}: expected ${result.expected}, got ${shown}`);
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return config as ConfigOf<S>;
}

export interface ConfigReferenceRow {
  env: string;
  type: string;
  default: string;
  doc: string;
}

/** The rows of the configuration reference (README, `fiscal config`). */
export function describeConfig(spec: ConfigSpec): ConfigReferenceRow[] {
  return Object.values(spec).map((definition) => ({
    env: definition.env,
    type: definition.type.describe,
    default: !('default' in definition)
      ? '(required)'
      : definition.default === undefined
        ? '(unset)'
        : definition.type.secret
          ? '(hidden)'
          : String(definition.default),
    doc: definition.doc,
  }));
}
