import { readFile } from 'node:fs/promises';
import { createConfig, lintFromString } from '@redocly/openapi-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { artifactPaths, openApiArtifacts } from '../../scripts/openapi-artifacts.mjs';
import { openApiDocument } from './openapi-document.js';

interface Operation {
  operationId?: string;
  summary?: string;
  responses: Record<string, { headers?: Record<string, unknown> }>;
}
type Paths = Record<string, Record<string, Operation>>;

/**
 * The signing keys are a static public document: nothing a client sends can make it a 4xx, so
 * the rule that every operation documents one does not apply to them.
 */
const keySetPointers = [
  '#/paths/~1.well-known~1jwks.json/get/responses',
  '#/paths/~1api~1v1~1.well-known~1jwks.json/get/responses',
];

let document: Record<string, unknown>;
let operations: [string, Operation][];

beforeAll(async () => {
  document = await openApiDocument();
  operations = Object.entries(document.paths as Paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, operation]): [string, Operation] => [
      `${method.toUpperCase()} ${path}`,
      operation,
    ]),
  );
});

describe('the OpenAPI document as a contract', () => {
  it("passes Redocly's recommended rules, the signing keys' lack of a 4xx excepted", async () => {
    const problems = await lintFromString({
      source: JSON.stringify(document),
      absoluteRef: 'fiscal-api.json',
      config: await createConfig({ extends: ['recommended'] }),
    });

    const found = problems.map(
      (problem) => `${problem.ruleId} ${problem.location[0]?.pointer}: ${problem.message}`,
    );
    expect(
      found.filter(
        (problem) =>
          !keySetPointers.some((pointer) => problem.startsWith(`operation-4xx-response ${pointer}:`)),
      ),
    ).toEqual([]);
    expect(found).toHaveLength(keySetPointers.length);
  });

  it('names every operation once, with a summary', () => {
    const ids = operations.map(([, operation]) => operation.operationId);

    expect(operations.length).toBeGreaterThanOrEqual(24);
    expect(operations.filter(([, operation]) => !operation.operationId || !operation.summary)).toEqual([]);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('documents the problems each operation can answer, from its shape and what it declares', () => {
    const statuses = (name: string) =>
      Object.keys(operations.find(([key]) => key === name)?.[1].responses ?? {}).sort();

    expect(statuses('GET /api/v1/invoices/{id}')).toEqual([
      '200',
      '400',
      '401',
      '403',
      '404',
      '429',
      '503',
      'default',
    ]);
    expect(statuses('POST /api/v1/invoices')).toEqual(
      ['200', '202', '400', '401', '403', '409', '413', '415', '429', '503', 'default'].sort(),
    );
    // Anonymous: no 403; its 401 is the wrong password.
    expect(statuses('POST /api/v1/auth/login')).toEqual([
      '200',
      '400',
      '401',
      '413',
      '415',
      '429',
      '503',
      'default',
    ]);
    expect(statuses('DELETE /api/v1/webhooks/{id}')).toEqual([
      '204',
      '400',
      '401',
      '403',
      '404',
      '429',
      '503',
      'default',
    ]);
    const [, listing] = operations.find(([key]) => key === 'GET /api/v1/invoices')!;
    expect(listing.responses['429']?.headers).toHaveProperty('Retry-After');
  });

  it('is what @fiscal/contracts/http was generated from (npm run build && npm run generate -w @fiscal/gateway)', async () => {
    const expected = await openApiArtifacts(document);

    expect(await readFile(artifactPaths.json, 'utf8')).toBe(expected.json);
    expect(await readFile(artifactPaths.types, 'utf8')).toBe(expected.types);
  });
});
