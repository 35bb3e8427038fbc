import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ObjectConflict, type ObjectStore } from '../domain/document/index.js';
import { createFsObjectStore } from './fs-object-store.js';

let root: string;
let store: ObjectStore;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'fiscal-objects-'));
  store = createFsObjectStore({ root: join(root, 'objects') });
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

const key = 'org-1/AAA010101AAA/2026/03/6f9619ff-8b86-d011-b42d-00c04fc964ff.xml.br';
const bytes = (text: string) => new TextEncoder().encode(text);

/** Every file under `directory`, relative to it. */
async function filesUnder(directory: string): Promise<string[]> {
  const entries = await readdir(directory, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name).slice(directory.length + 1))
    .sort();
}

describe('filesystem object store', () => {
  it('gives back the bytes it stored', async () => {
    expect(await store.put(key, bytes('<cfdi/>'))).toEqual({ created: true });
    expect(Buffer.from((await store.get(key))!).toString()).toBe('<cfdi/>');
  });

  it('answers undefined for an object it does not have', async () => {
    expect(await store.get(key)).toBeUndefined();
    expect(await store.get('org-1/missing.xml.br')).toBeUndefined();
  });

  it('treats storing the same bytes again as a no-op', async () => {
    await store.put(key, bytes('<cfdi/>'));
    expect(await store.put(key, bytes('<cfdi/>'))).toEqual({ created: false });
  });

  it('refuses other bytes under an existing key and keeps the first ones', async () => {
    await store.put(key, bytes('<cfdi/>'));
    await expect(store.put(key, bytes('<other/>'))).rejects.toBeInstanceOf(ObjectConflict);
    expect(Buffer.from((await store.get(key))!).toString()).toBe('<cfdi/>');
  });

  it('lets concurrent puts of the same bytes all succeed, exactly one of them creating', async () => {
    const results = await Promise.all(Array.from({ length: 8 }, () => store.put(key, bytes('<cfdi/>'))));
    expect(results.filter((result) => result.created)).toHaveLength(1);
  });

  it('lets exactly one of concurrent puts of different bytes win; the others conflict', async () => {
    const outcomes = await Promise.allSettled(
      Array.from({ length: 8 }, (_, writer) => store.put(key, bytes(`<cfdi writer="${writer}"/>`))),
    );
    expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(1);
    for (const outcome of outcomes) {
      if (outcome.status === 'rejected') expect(outcome.reason).toBeInstanceOf(ObjectConflict);
    }
  });

  it('leaves no temporary files behind', async () => {
    await store.put(key, bytes('<cfdi/>'));
    await store.put(key, bytes('<cfdi/>'));
    await store.put(key, bytes('<other/>')).catch(() => undefined);
    await Promise.allSettled(
      Array.from({ length: 4 }, (_, writer) => store.put('org-1/b.xml.gz', bytes(`${writer}`))),
    );
    expect(await filesUnder(join(root, 'objects'))).toEqual([key, 'org-1/b.xml.gz']);
  });

  it.each([
    ['a parent segment', 'org-1/../../etc/passwd'],
    ['an absolute path', '/etc/passwd'],
    ['an empty key', ''],
    ['an empty segment', 'org-1//a.xml.br'],
    ['a trailing slash', 'org-1/'],
    ['a current-directory segment', 'org-1/./a.xml.br'],
    ['a hidden segment, reserved for temporary files', 'org-1/.a.xml.br'],
    ['a backslash', 'org-1\\..\\a.xml.br'],
    ['a space', 'org 1/a.xml.br'],
    ['a non-ASCII letter', 'org-1/ñ.xml.br'],
    ['a NUL byte', 'org-1/a\0.xml.br'],
    ['an overlong key', `org-1/${'a'.repeat(1100)}`],
  ])('refuses a key with %s', async (_description, badKey) => {
    await expect(store.put(badKey, bytes('x'))).rejects.toThrow(/object key/);
    await expect(store.get(badKey)).rejects.toThrow(/object key/);
  });

  it('deletes an object for good, and answers false for one it does not have', async () => {
    await store.put(key, bytes('<cfdi/>'));
    expect(await store.delete(key)).toBe(true);
    expect(await store.get(key)).toBeUndefined();
    expect(await store.delete(key)).toBe(false);
    expect(await store.put(key, bytes('<other/>'))).toEqual({ created: true });
  });
});
