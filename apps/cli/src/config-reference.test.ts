import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { configReference, configReferenceMarkdown } from './config-reference.js';

describe('configuration reference', () => {
  it('documents every FISCAL_* variable in the README', () => {
    const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
    const missing = configReference()
      .map((row) => row.env)
      .filter((env) => !readme.includes(`\`${env}\``));
    expect(missing).toEqual([]);
  });

  it('shows each variable with the default and the description the code has', () => {
    const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
    const stale = configReferenceMarkdown()
      .split('\n')
      .filter((row) => !readme.includes(row));
    expect(stale).toEqual([]);
  });
});
