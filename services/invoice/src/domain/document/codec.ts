/** A compression codec for archived documents; its name is recorded so any object can be read back. */
export interface DocumentCodec {
  /** Short and file-name safe: the object key ends with `.xml.<name>`. */
  readonly name: string;
  compress(document: Uint8Array): Promise<Uint8Array>;
  decompress(stored: Uint8Array): Promise<Uint8Array>;
}
