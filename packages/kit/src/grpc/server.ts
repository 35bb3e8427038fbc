import { createServer, type Http2Session } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { Code, ConnectError, type ConnectRouter, type Interceptor } from '@connectrpc/connect';
import { connectNodeAdapter } from '@connectrpc/connect-node';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { type ListenAddress, portInUseOr } from '../net/port-in-use.js';
import { serverInterceptors } from './interceptors.js';
import { serverMetricsInterceptor } from './server-metrics.js';

export interface GrpcServerOptions {
  register(router: ConnectRouter): void;
  logger: Logger;
  /** Run inside the trace and error interceptors, so what they throw is traced and mapped too. */
  interceptors?: Interceptor[];
  /** How long calls in flight may take to finish on `close()` before their connections are cut. */
  closeGraceMs?: number;
  /** Where the server's RED metrics (`grpc_server_handled_total`, `grpc_server_handling_seconds`) go. */
  registry?: Registry;
}

export interface GrpcServer {
  /** A port another process holds is a `PortInUseError` naming `address.setting`. */
  listen(address: ListenAddress): Promise<{ port: number }>;
  /** Stops accepting calls, lets the calls in flight finish (within the grace period), then resolves. */
  close(): Promise<void>;
}

const defaultCloseGraceMs = 25_000;
const abortedCallsWrapUpMs = 1_000;

/** gRPC over cleartext HTTP/2 (TLS ends at the platform's ingress or mesh, not in the service). */
export function createGrpcServer(options: GrpcServerOptions): GrpcServer {
  const { logger } = options;
  const shutdown = new AbortController();
  const server = createServer(
    connectNodeAdapter({
      routes: options.register,
      interceptors: [
        ...(options.registry ? [serverMetricsInterceptor(options.registry)] : []),
        ...serverInterceptors(logger, options.interceptors),
      ],
      // Aborted once the grace period is over, so handlers still running can stop cooperatively.
      shutdownSignal: shutdown.signal,
    }),
  );
  const sessions = new Set<Http2Session>();
  server.on('session', (session) => {
    sessions.add(session);
    session.once('close', () => sessions.delete(session));
  });

  return {
    listen(address) {
      const { host, port } = address;
      return new Promise((resolve, reject) => {
        const refuse = (error: unknown) => reject(portInUseOr(error, address));
        server.once('error', refuse);
        server.listen(port, host, () => {
          server.off('error', refuse);
          const { port: boundPort } = server.address() as AddressInfo;
          logger.info({ host, port: boundPort }, 'gRPC server listening');
          resolve({ port: boundPort });
        });
      });
    },
    async close() {
      if (!server.listening) return;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // HTTP/2 connections outlive `server.close()`; GOAWAY tells each client to open no new
      // calls on it while the calls already running finish.
      for (const session of sessions) session.close();
      let cutTimer: NodeJS.Timeout | undefined;
      const graceTimer = setTimeout(() => {
        logger.warn(
          { sessions: sessions.size },
          'gRPC calls still running after the grace period; aborting them',
        );
        // Handlers watching their signal answer Unavailable (a status clients may retry) in the
        // moment before the connections are cut; a cut stream would read as Canceled.
        shutdown.abort(new ConnectError('server is shutting down', Code.Unavailable));
        cutTimer = setTimeout(() => {
          for (const session of sessions) session.destroy();
        }, abortedCallsWrapUpMs);
      }, options.closeGraceMs ?? defaultCloseGraceMs);
      await closed;
      clearTimeout(graceTimer);
      clearTimeout(cutTimer);
      logger.info('gRPC server closed');
    },
  };
}
