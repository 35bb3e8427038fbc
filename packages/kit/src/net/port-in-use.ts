import { once } from 'node:events';
import { createServer } from 'node:net';

export interface ListenAddress {
  host: string;
  port: number;
  /** The setting that chooses the port (`FISCAL_HTTP_PORT`), named when the port is taken. */
  setting?: string | undefined;
}

/**
 * Another process holds the port: said in one line with the setting that moves it, where a stack
 * trace of `EADDRINUSE` would leave a newcomer guessing which of a process's ports it was.
 */
export class PortInUseError extends Error {
  constructor(readonly address: ListenAddress) {
    const where = `${address.host}:${address.port}`;
    super(
      address.setting
        ? `${where} is already in use; set ${address.setting} to a free port (0 picks one)`
        : `${where} is already in use`,
    );
    this.name = 'PortInUseError';
  }
}

/** `error` as a `PortInUseError` when it is the operating system's EADDRINUSE; otherwise as it is. */
export function portInUseOr(error: unknown, address: ListenAddress): unknown {
  return (error as { code?: unknown } | null)?.code === 'EADDRINUSE' ? new PortInUseError(address) : error;
}

/**
 * Throws `PortInUseError` when the port cannot be bound now. For a process that binds it only after
 * seconds of starting (opening databases, loading catalogs): it fails at once instead. Port 0 is
 * always free.
 */
export async function ensurePortFree(address: ListenAddress): Promise<void> {
  if (address.port === 0) return;
  const probe = createServer();
  try {
    probe.listen(address.port, address.host);
    await once(probe, 'listening');
  } catch (error) {
    throw portInUseOr(error, address);
  }
  await new Promise<void>((resolve) => probe.close(() => resolve()));
}
