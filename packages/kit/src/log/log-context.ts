import { AsyncLocalStorage } from 'node:async_hooks';

/** Per-request facts every log line written while handling the request should carry. */
export interface LogContext {
  requestId?: string;
  tenant?: string;
  /** The user or API key acting, once authenticated. */
  subject?: string;
}

const storage = new AsyncLocalStorage<LogContext>();

export function runWithLogContext<T>(context: LogContext, work: () => T): T {
  return storage.run({ ...storage.getStore(), ...context }, work);
}

export function currentLogContext(): LogContext | undefined {
  return storage.getStore();
}

/** Adds facts to the current context (e.g. the tenant, once the caller is known). */
export function extendLogContext(context: LogContext): void {
  const store = storage.getStore();
  if (store) Object.assign(store, context);
}
