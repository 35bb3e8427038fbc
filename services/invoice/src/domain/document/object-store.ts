/**
 * Port: where archived originals live (a shared filesystem now, S3-compatible storage later).
 * Keys are `org/issuer/yyyy/mm/uuid.xml.<codec>`; objects are immutable once written.
 */
export interface ObjectStore {
  /**
   * Stores `body` under `key`. Storing the same bytes again is a no-op (`created: false`); other
   * bytes under an existing key are refused with `ObjectConflict`, never silently overwritten.
   * Resolves only once the object is durable.
   */
  put(key: string, body: Uint8Array): Promise<{ created: boolean }>;
  /** The stored bytes, or undefined when there is no such object. */
  get(key: string): Promise<Uint8Array | undefined>;
  /** Removes the object (retention, past the legal keeping period); false when there was none. */
  delete(key: string): Promise<boolean>;
}

export class ObjectConflict extends Error {
  constructor(readonly key: string) {
    super(`object ${key} already exists with different content`);
    this.name = 'ObjectConflict';
  }
}
