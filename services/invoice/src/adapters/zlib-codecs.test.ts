import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { codecByName, createBrotliCodec, createGzipCodec, defaultCodec } from './zlib-codecs.js';

const fixtures = fileURLToPath(new URL('../../../../fixtures/cfdi/', import.meta.url));
const documents = readdirSync(fixtures)
  .filter((name) => name.endsWith('.xml'))
  .map((name) => [name, new Uint8Array(readFileSync(`${fixtures}${name}`))] as const);

describe.each(['br', 'gz'])('%s codec', (name) => {
  const codec = codecByName(name)!;

  it('is found by the name it records', () => {
    expect(codec.name).toBe(name);
  });

  it('gives back every CFDI fixture byte for byte, smaller than it was', async () => {
    expect(documents.length).toBeGreaterThan(10);
    for (const [fixture, document] of documents) {
      const stored = await codec.compress(document);
      expect(stored.byteLength, fixture).toBeLessThan(document.byteLength);
      expect(Buffer.from(await codec.decompress(stored)).equals(document), fixture).toBe(true);
    }
  });

  it('refuses to inflate a stored object beyond its cap', async () => {
    const bomb = await codec.compress(new Uint8Array(8 * 1024 * 1024));
    expect(bomb.byteLength).toBeLessThan(64 * 1024);
    const small =
      name === 'br'
        ? createBrotliCodec({ maxDecompressedBytes: 1024 * 1024 })
        : createGzipCodec({ maxDecompressedBytes: 1024 * 1024 });
    await expect(small.decompress(bomb)).rejects.toThrow(/inflates beyond 1048576 bytes/);
  });

  it('fails on bytes it did not write', async () => {
    await expect(codec.decompress(new TextEncoder().encode('<cfdi/>'))).rejects.toThrow();
  });
});

describe('codec choice', () => {
  it('stores new documents with brotli', () => {
    expect(defaultCodec.name).toBe('br');
  });

  it('knows no codec by an unknown name', () => {
    expect(codecByName('zstd')).toBeUndefined();
  });

  it('reads back with the default cap a document of the largest size the fetcher accepts', async () => {
    const largest = new Uint8Array(5 * 1024 * 1024).fill(0x3c);
    expect((await defaultCodec.decompress(await defaultCodec.compress(largest))).byteLength).toBe(
      largest.length,
    );
  });
});
