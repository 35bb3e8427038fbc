import { ObjectConflict, type ObjectStore } from '../domain/document/index.js';

/** Object storage in this process's memory (`fiscal start --memory`): gone when the process ends. */
export function createMemoryObjectStore(): ObjectStore {
  const objects = new Map<string, Uint8Array>();
  return {
    async put(key, body) {
      const existing = objects.get(key);
      if (existing) {
        if (Buffer.compare(existing, body) !== 0) throw new ObjectConflict(key);
        return { created: false };
      }
      objects.set(key, Uint8Array.from(body));
      return { created: true };
    },
    async get(key) {
      const body = objects.get(key);
      return body && Uint8Array.from(body);
    },
    async delete(key) {
      return objects.delete(key);
    },
  };
}
