import { promisify } from 'node:util';
import {
  type BrotliOptions,
  brotliCompress,
  brotliCompressSync,
  brotliDecompress,
  brotliDecompressSync,
  constants,
  gunzip,
  gunzipSync,
  gzip,
  gzipSync,
  type ZlibOptions,
} from 'node:zlib';
import type { DocumentCodec } from '../domain/document/index.js';

/**
 * Decompressed size allowed by default: the fetcher's 5 MiB document cap with room to spare. It keeps
 * a small stored object that inflates to gigabytes (a zip bomb) from exhausting memory.
 */
export const defaultMaxDecompressedBytes = 16 * 1024 * 1024;

export interface CodecOptions {
  /** Largest output `decompress` produces; beyond it, it fails instead of allocating more. */
  maxDecompressedBytes?: number;
}

/**
 * Inputs up to this size are (de)compressed on the calling thread. A CFDI of a few KB costs
 * ~120 µs of CPU that way at brotli quality 5 against ~400 µs through the thread pool, whose
 * per-call encoder set-up and hand-offs cost more than the work; the largest documents (a
 * 5 MiB cap) still go to the pool, so no call blocks the event loop for long.
 */
const onThreadBytes = 256 * 1024;

const small = (input: Uint8Array) => input.byteLength <= onThreadBytes;
const brotliInPool = promisify(brotliCompress);
const unbrotliInPool = promisify(brotliDecompress);
const gzipInPool = promisify(gzip);
const gunzipInPool = promisify(gunzip);

const compressWithBrotli = async (input: Uint8Array, options: BrotliOptions) =>
  small(input) ? brotliCompressSync(input, options) : brotliInPool(input, options);
const decompressBrotli = async (input: Uint8Array, options: BrotliOptions) =>
  small(input) ? brotliDecompressSync(input, options) : unbrotliInPool(input, options);
const compressWithGzip = async (input: Uint8Array, options: ZlibOptions) =>
  small(input) ? gzipSync(input, options) : gzipInPool(input, options);
const decompressGzip = async (input: Uint8Array, options: ZlibOptions) =>
  small(input) ? gunzipSync(input, options) : gunzipInPool(input, options);

/**
 * Brotli at quality 5. On the CFDI fixtures it stores 48.3 % of the original bytes against 49.1 % for
 * gzip level 6, at about 90 µs against 50 µs a document; quality 4 is worse than gzip (49.7 %) and 6
 * gains nothing over 5. CFDI carry base64 seals and certificates that no codec shrinks, hence the
 * modest ratios. Text mode and a size hint help on small documents.
 *
 * The window is the smallest power of two that holds the document (at least 64 KiB): brotli's
 * default of 4 MiB made every call allocate and fault in buffers a few-KB invoice never reaches,
 * a third of its CPU (185 → 119 µs a fixture, user and system time, the same 48.2 % stored).
 */
export function createBrotliCodec(options: CodecOptions & { quality?: number } = {}): DocumentCodec {
  const quality = options.quality ?? 5;
  const maxOutputLength = options.maxDecompressedBytes ?? defaultMaxDecompressedBytes;
  return {
    name: 'br',
    compress: (document) =>
      compressWithBrotli(document, {
        params: {
          [constants.BROTLI_PARAM_QUALITY]: quality,
          [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
          [constants.BROTLI_PARAM_SIZE_HINT]: document.byteLength,
          [constants.BROTLI_PARAM_LGWIN]: windowBitsFor(document.byteLength),
        },
      }),
    decompress: (stored) => capped(decompressBrotli(stored, { maxOutputLength }), 'br', maxOutputLength),
  };
}

/** log2 of a brotli window that holds `size` bytes: 16 (64 KiB) to 24 (16 MiB, brotli's largest). */
function windowBitsFor(size: number): number {
  return Math.min(24, Math.max(16, Math.ceil(Math.log2(size + 1))));
}

export function createGzipCodec(options: CodecOptions & { level?: number } = {}): DocumentCodec {
  const level = options.level ?? 6;
  const maxOutputLength = options.maxDecompressedBytes ?? defaultMaxDecompressedBytes;
  return {
    name: 'gz',
    compress: (document) => compressWithGzip(document, { level }),
    decompress: (stored) => capped(decompressGzip(stored, { maxOutputLength }), 'gz', maxOutputLength),
  };
}

const codecs = new Map<string, DocumentCodec>(
  [createBrotliCodec(), createGzipCodec()].map((codec) => [codec.name, codec]),
);

/** The codec new documents are stored with. */
export const defaultCodec: DocumentCodec = codecs.get('br')!;

/** The codec a stored object was written with, by the name recorded beside it; undefined when unknown. */
export function codecByName(name: string): DocumentCodec | undefined {
  return codecs.get(name);
}

/** zlib reports the cap as a bare buffer-size RangeError; say what it means for a stored document. */
async function capped(
  output: Promise<Uint8Array>,
  codec: string,
  maxOutputLength: number,
): Promise<Uint8Array> {
  try {
    return await output;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ERR_BUFFER_TOO_LARGE') throw error;
    throw new RangeError(`${codec} object inflates beyond ${maxOutputLength} bytes`, { cause: error });
  }
}
