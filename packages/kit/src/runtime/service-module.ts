import type { ConnectRouter } from '@connectrpc/connect';

/**
 * What every back-end service hands its host process, whichever mode runs it: embedded (all
 * services in one process) or distributed (`fiscal serve <name>`). The host owns the engines,
 * servers and shutdown; the module owns its use cases, consumers and relays.
 */
export interface ServiceModule {
  readonly name: string;
  /**
   * Registers the service's gRPC handlers (absent when it exposes none yet). The host puts
   * `authenticateRpcCallers` (kit/auth) in front of them: handlers act for `rpcCallerOf(context)`.
   */
  registerRpc?(router: ConnectRouter): void;
  /** Procedures anyone may call without an access token (`fiscal.auth.v1.AuthService/Login`). */
  readonly anonymousRpc?: readonly string[];
  /** Starts background work (consumers, relays). Called once migrations have run. */
  start(): Promise<void>;
  /** Stops taking new work and waits for what is in flight (consumers' handlers). */
  stop(): Promise<void>;
  /** Hands over what is still pending (outbox rows) before the bus closes. */
  flush?(): Promise<void>;
  /** Readiness checks of the module's own dependencies (databases, broker). */
  readinessChecks?: Record<string, () => Promise<void>>;
}
