import { randomUUID } from 'node:crypto';
import { closeSync, fsync, linkSync, openSync, statfsSync, unlinkSync, writeSync } from 'node:fs';
import { link, mkdir, open, readFile, unlink } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { promisify } from 'node:util';
import { ObjectConflict, type ObjectStore } from '../domain/document/index.js';

export interface FsObjectStoreOptions {
  /** Directory holding the objects; on a filesystem every replica shares (NFS, EFS, …) when distributed. */
  root: string;
}

/** Segments of letters, digits, `.`, `_`, `-`; none empty or starting with a dot (temp files do). */
const keyPattern = /^[A-Za-z0-9_-][A-Za-z0-9._-]*(\/[A-Za-z0-9_-][A-Za-z0-9._-]*)*$/;
const maximumKeyLength = 1024;

/**
 * Objects as files under `root`, one per key. A put writes a temp file beside the target, fsyncs it,
 * then hard-links it to the key's name: `link` fails with EEXIST when the name exists, so creating an
 * object is atomic *and* never replaces one (a `rename` would silently overwrite a concurrent writer).
 * The directory is fsynced before the put resolves, so an acknowledged object survives a power cut.
 *
 * The same contract maps onto S3-compatible storage: `put` is a PutObject with `If-None-Match: *`
 * (a conditional write; 412 Precondition Failed means the key exists), after which a GetObject, or
 * a stored SHA-256 checksum, tells an identical object (`created: false`) from a conflict; `get` is
 * a GetObject where NoSuchKey means undefined; `delete` a DeleteObject.
 */
export function createFsObjectStore({ root }: FsObjectStoreOptions): ObjectStore {
  const pathOf = (key: string) => join(root, ...validKey(key).split('/'));
  // Directories this store made durable: most puts go into a directory of an earlier one (objects
  // are grouped by organisation and month), and skip its mkdir.
  const durableDirectories = new Set<string>();
  const syncDirectory = coalescedDirectorySync();

  // Decided at the first put, once the root exists: how to make the calls that do not wait on a disk.
  let files: FileCalls | undefined;

  return {
    async put(key, body) {
      const path = pathOf(key);
      const directory = dirname(path);
      if (!durableDirectories.has(directory)) {
        await makeDurableDirectory(directory);
        if (durableDirectories.size >= 10_000) durableDirectories.clear();
        durableDirectories.add(directory);
      }
      files ??= fileCallsFor(directory);
      const temporary = join(directory, `.${randomUUID()}.tmp`);
      try {
        await files.writeDurably(temporary, body);
        await files.link(temporary, path);
      } catch (error) {
        const { code } = error as NodeJS.ErrnoException;
        // The directory went away under us (removed by hand): forget it and start over.
        if (code === 'ENOENT' && durableDirectories.delete(directory)) return this.put(key, body);
        if (code !== 'EEXIST') throw error;
        // The key exists (a retry, or another writer): the same bytes make the put a no-op.
        return await alreadyStored(key, await readFile(path), body, () => syncDirectory(directory));
      } finally {
        await files.unlink(temporary).catch(() => undefined);
      }
      await syncDirectory(directory);
      return { created: true };
    },

    async get(key) {
      return readIfExists(pathOf(key));
    },

    async delete(key) {
      const path = pathOf(key);
      try {
        await unlink(path);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
        throw error;
      }
      await syncDirectory(dirname(path));
      return true;
    },
  };
}

/**
 * fsyncs a directory on behalf of every put waiting for it: a put that arrives while a sync of its
 * directory runs waits for the next one, which starts when that one ends and serves every put that
 * arrived meanwhile. A batch of documents landing in one directory then costs two syncs, not one
 * each, and every put still resolves only after a sync that began after its link.
 */
function coalescedDirectorySync(): (directory: string) => Promise<void> {
  const syncs = new Map<string, { current: Promise<void>; next?: Promise<void> }>();
  return (directory) => {
    const state = syncs.get(directory);
    if (state?.next) return state.next;
    const sync = (state?.current ?? Promise.resolve()).then(
      () => fsyncDirectory(directory),
      () => fsyncDirectory(directory),
    );
    if (state) state.next = sync;
    else syncs.set(directory, { current: sync });
    const settled = () => {
      const now = syncs.get(directory);
      if (now?.current !== sync) return;
      if (now.next) syncs.set(directory, { current: now.next });
      else syncs.delete(directory);
    };
    sync.then(settled, settled);
    return sync;
  };
}

function validKey(key: string): string {
  if (key.length > maximumKeyLength || !keyPattern.test(key)) {
    throw new RangeError(
      `object key ${JSON.stringify(key.slice(0, 100))} is not relative segments of [A-Za-z0-9._-] without leading dots`,
    );
  }
  return key;
}

/**
 * The key exists: the same bytes make the put a no-op, other bytes a conflict. The directory is synced
 * even so, as the object may be a concurrent writer's that is not yet durable.
 */
async function alreadyStored(
  key: string,
  stored: Uint8Array,
  body: Uint8Array,
  syncDirectory: () => Promise<void>,
): Promise<{ created: false }> {
  if (Buffer.compare(stored, body) !== 0) throw new ObjectConflict(key);
  await syncDirectory();
  return { created: false };
}

async function readIfExists(path: string): Promise<Uint8Array | undefined> {
  try {
    return await readFile(path);
  } catch (error) {
    const { code } = error as NodeJS.ErrnoException;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw error;
  }
}

/** Writing a new file and fsyncing it, linking and unlinking: the calls a put makes. */
interface FileCalls {
  writeDurably(path: string, body: Uint8Array): Promise<void>;
  link(existing: string, path: string): Promise<void>;
  unlink(path: string): Promise<void>;
}

/** `statfs` types of filesystems whose every call may wait on the network (NFS, SMB/CIFS, FUSE). */
const networkFilesystems = new Set([0x6969, 0x517b, 0xfe534d42, 0xff534d42, 0x65735546]);

const fsyncInPool = promisify(fsync);

/**
 * On a local filesystem, creating, writing, linking and unlinking a small file take microseconds in
 * the kernel, and each sent through the thread pool costs more in hand-offs (a queue, a wake-up, a
 * callback: several system calls of their own) than the call itself; they run on the calling thread
 * and only the fsync, which waits on the disk, goes to the pool. On a network filesystem each call
 * is a round trip that must not block the event loop, so every one goes to the pool.
 */
function fileCallsFor(directory: string): FileCalls {
  if (networkFilesystems.has(statfsSync(directory).type)) {
    return {
      async writeDurably(path, body) {
        const file = await open(path, 'wx');
        try {
          await file.writeFile(body);
          await file.sync();
        } finally {
          await file.close();
        }
      },
      link,
      unlink,
    };
  }
  return {
    async writeDurably(path, body) {
      const descriptor = openSync(path, 'wx');
      try {
        for (let written = 0; written < body.byteLength; )
          written += writeSync(descriptor, body, written, body.byteLength - written);
        await fsyncInPool(descriptor);
      } finally {
        closeSync(descriptor);
      }
    },
    async link(existing, path) {
      linkSync(existing, path);
    },
    async unlink(path) {
      unlinkSync(path);
    },
  };
}

/**
 * Creates `directory` and fsyncs the parent of each directory it created, so the new path survives a
 * power cut; `directory` itself is synced once the object is linked into it.
 */
async function makeDurableDirectory(directory: string): Promise<void> {
  const firstCreated = await mkdir(directory, { recursive: true });
  if (firstCreated === undefined) return;
  let parent = dirname(firstCreated);
  for (const name of relative(parent, directory).split(sep)) {
    await fsyncDirectory(parent);
    parent = join(parent, name);
  }
}

async function fsyncDirectory(path: string): Promise<void> {
  const directory = await open(path, 'r');
  try {
    await directory.sync();
  } finally {
    await directory.close();
  }
}
