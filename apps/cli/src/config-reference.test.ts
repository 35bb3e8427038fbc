import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { configReference } from './config-reference.js';

describe('configuration reference', () => {
  it('documents every FISCAL_* variable in the README', () => {
    const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
    const missing = configReference()
      .map((row) => row.env)
      .filter((env) => !readme.includes(`\`${env}\``));
    expect(missing).toEqual([]);
  });
});
