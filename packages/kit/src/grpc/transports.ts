import {
  type ConnectRouter,
  createRouterTransport,
  type Interceptor,
  type Transport,
} from '@connectrpc/connect';
import { createGrpcTransport, Http2SessionManager } from '@connectrpc/connect-node';
import type { Logger } from 'pino';
import { clientInterceptors, serverInterceptors } from './interceptors.js';

export interface ClientTransportOptions {
  /** Deadline of every call that does not set its own; it travels as `grpc-timeout` to the server. */
  timeoutMs?: number;
  interceptors?: Interceptor[];
}

export interface InMemoryTransportOptions extends ClientTransportOptions {
  /** Logs the unexpected errors of the services behind the transport. */
  logger: Logger;
  serverInterceptors?: Interceptor[];
}

export interface GrpcClientTransport extends Transport {
  /** Drops the HTTP/2 connection; call it after the calls in flight have finished. */
  close(): void;
}

export const defaultCallTimeoutMs = 5_000;

/**
 * Embedded mode: the services' handlers run in this process, behind the same server and client
 * interceptors as over the network, so errors, deadlines and traces behave the same in both modes.
 */
export function createInMemoryTransport(
  register: (router: ConnectRouter) => void,
  options: InMemoryTransportOptions,
): Transport {
  return createRouterTransport(register, {
    router: { interceptors: serverInterceptors(options.logger, options.serverInterceptors) },
    transport: {
      interceptors: clientInterceptors(options.interceptors),
      defaultTimeoutMs: options.timeoutMs ?? defaultCallTimeoutMs,
    },
  });
}

/**
 * A GOAWAY on an idle connection makes Connect's session manager destroy it with an error Node
 * raises only once the socket has closed; a call arriving meanwhile moves the manager to a new
 * connection and unhooks its listeners, and the late error would crash the process
 * (connectrpc/connect-es#1768). Every connection a call goes over keeps a listener of its own.
 */
class ConnectionErrorTolerantManager extends Http2SessionManager {
  private readonly guarded = new WeakSet<object>();

  override async request(...parameters: Parameters<Http2SessionManager['request']>) {
    const stream = await super.request(...parameters);
    const session = stream.session;
    if (session && !this.guarded.has(session)) {
      this.guarded.add(session);
      session.on('error', () => {
        // The manager has judged this connection already; calls on it saw their own errors.
      });
    }
    return stream;
  }
}

/** Distributed mode: gRPC over cleartext HTTP/2 to `baseUrl` (`http://query:50051`). */
export function createGrpcClientTransport(
  options: ClientTransportOptions & { baseUrl: string },
): GrpcClientTransport {
  const sessionManager = new ConnectionErrorTolerantManager(options.baseUrl);
  const transport = createGrpcTransport({
    baseUrl: options.baseUrl,
    sessionManager,
    // Calls stay inside the cluster: gzip would cost CPU on both ends (a batch's answer is several
    // KB) and save nothing worth it. Accepting none tells the server not to compress either.
    acceptCompression: [],
    interceptors: clientInterceptors(options.interceptors),
    defaultTimeoutMs: options.timeoutMs ?? defaultCallTimeoutMs,
  });
  return {
    unary: (...parameters) => transport.unary(...parameters),
    stream: (...parameters) => transport.stream(...parameters),
    close: () => sessionManager.abort(),
  };
}
