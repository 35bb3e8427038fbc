import { fromConnectError } from '@fiscal/kit/grpc';
import type { Policy } from '@fiscal/kit/resilience';

/** Runs a call through the policy and turns gRPC failures back into the service's `AppError`. */
export function callUpstream<T>(policy: Policy, call: (signal: AbortSignal) => Promise<T>): Promise<T> {
  return policy.execute(async (signal) => {
    try {
      return await call(signal);
    } catch (error) {
      throw fromConnectError(error);
    }
  });
}
