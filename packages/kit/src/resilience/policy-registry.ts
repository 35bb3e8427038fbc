import { createPolicy, type Policy, type PolicyOptions } from './policy.js';

export interface PolicyRegistry {
  /** The one policy for `key` (an upstream host or service), created on first use. */
  forKey(key: string): Policy;
}

/**
 * A breaker must be shared by every call to the same upstream to see its failures, and must not be
 * shared across upstreams, or one dead host would cut off the healthy ones. Policies are named
 * `<name>:<key>`, so keys must be few and stable (hosts, services), never per request.
 */
export function createPolicyRegistry(defaults: PolicyOptions): PolicyRegistry {
  const policies = new Map<string, Policy>();
  return {
    forKey(key) {
      let policy = policies.get(key);
      if (!policy) {
        policy = createPolicy({ ...defaults, name: `${defaults.name}:${key}` });
        policies.set(key, policy);
      }
      return policy;
    },
  };
}
