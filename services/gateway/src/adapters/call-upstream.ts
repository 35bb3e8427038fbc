import { bearerHeader } from '@fiscal/kit/auth';
import { fromConnectError } from '@fiscal/kit/grpc';
import type { Policy } from '@fiscal/kit/resilience';
import type { Requester } from '../app/caller.js';

/** What every call to a service carries: the deadline's signal, and the requester's credential. */
export interface UpstreamCallOptions {
  signal: AbortSignal;
  headers: { authorization: string };
}

/**
 * Runs a call for `requester` through the policy: the call carries the requester's access token,
 * which the service verifies and acts for; it is abandoned when the client goes away; gRPC failures
 * come back as the service's own `AppError`.
 */
export function callUpstream<T>(
  policy: Policy,
  requester: Requester,
  call: (options: UpstreamCallOptions) => Promise<T>,
): Promise<T> {
  const headers = bearerHeader(requester.caller.credential);
  return policy.execute(async (signal) => {
    try {
      return await call({ signal, headers });
    } catch (error) {
      throw fromConnectError(error);
    }
  }, requester.signal);
}

/** A call no caller stands behind (logging in, fetching the key set). */
export function callUpstreamAnonymously<T>(
  policy: Policy,
  call: (signal: AbortSignal) => Promise<T>,
  clientSignal?: AbortSignal,
): Promise<T> {
  return policy.execute(async (signal) => {
    try {
      return await call(signal);
    } catch (error) {
      throw fromConnectError(error);
    }
  }, clientSignal);
}
