export type { RetryOptions } from './backoff.js';
export {
  type BreakerOptions,
  type BreakerState,
  type BulkheadOptions,
  createPolicy,
  type Policy,
  type PolicyOptions,
} from './policy.js';
export { createPolicyRegistry, type PolicyRegistry } from './policy-registry.js';
export { PolicyRejection, type RejectionCode } from './rejection.js';
export { isTransientError, isUpstreamFailure } from './transient.js';
