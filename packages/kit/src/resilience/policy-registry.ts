import { LRUCache } from 'lru-cache';
import { resilienceMetrics } from './metrics.js';
import { createPolicy, type Policy, type PolicyOptions } from './policy.js';

export interface PolicyRegistry {
  /** The one policy for `key` (an upstream host or service), created on first use. */
  forKey(key: string): Policy;
}

/**
 * A breaker must be shared by every call to the same upstream to see its failures, and must not be
 * shared across upstreams, or one dead host would cut off the healthy ones. Policies are named
 * `<name>:<key>`. Keys can come from user input (the hosts of submitted URLs), so at most `maxKeys`
 * policies are kept: the least recently used one is retired, with its gauges, to make room.
 */
export function createPolicyRegistry(
  defaults: PolicyOptions,
  options: { maxKeys?: number } = {},
): PolicyRegistry {
  const metrics = resilienceMetrics(defaults.registry);
  const policies = new LRUCache<string, Policy>({
    max: options.maxKeys ?? 1_000,
    dispose: (policy) => metrics.forget(policy.name),
  });
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
