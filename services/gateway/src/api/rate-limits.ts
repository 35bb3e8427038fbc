import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Caller } from '../app/caller.js';
import {
  type QuotaBucket,
  type QuotaUsage,
  quotaKeyOf,
  type RateLimiter,
  rateLimited,
} from '../app/quotas.js';

declare module 'fastify' {
  interface FastifyInstance {
    rateLimiter?: RateLimiter;
  }
  interface FastifyRequest {
    quotaUsage?: QuotaUsage;
  }
}

export interface RateLimitOptions {
  limiter: RateLimiter;
  /**
   * Routes anyone may call without credentials (login, refresh), charged per client address
   * before they run, since there is no caller to charge.
   */
  anonymousRoutePrefixes: readonly string[];
}

export const defaultAnonymousRoutePrefixes: readonly string[] = ['/api/v1/auth/'];

/**
 * Quotas at the edge. Authenticated routes are charged per caller once the caller is known
 * (`chargeCallerQuota`, from the authentication hook); anonymous ones per address here. Every charged response
 * carries the IETF draft `RateLimit-*` headers, refused ones `429 rate_limited` with `Retry-After`.
 * Install before registering routes so every route gets the hooks.
 */
export function installRateLimits(app: FastifyInstance, options: RateLimitOptions): void {
  const { limiter, anonymousRoutePrefixes } = options;
  app.decorate('rateLimiter', limiter);

  // Callback hooks where nothing is awaited: an async one costs every request a promise.
  app.addHook('onRequest', (request, _reply, done) => {
    const route = request.routeOptions.url;
    if (route === undefined || !anonymousRoutePrefixes.some((prefix) => route.startsWith(prefix))) {
      done();
      return;
    }
    charge(request, 'anonymous', request.ip).then(() => done(), done);
  });

  app.addHook('onSend', (request, reply, payload, done) => {
    if (request.quotaUsage) setRateLimitHeaders(reply, request.quotaUsage);
    done(null, payload);
  });
}

/** Counts the request against its client address, as an anonymous one (credentials that failed). */
export async function chargeAnonymousQuota(request: FastifyRequest): Promise<void> {
  // Already charged as an anonymous route.
  if (request.quotaUsage) return;
  await charge(request, 'anonymous', request.ip);
}

/**
 * Counts the request against its caller's tier quota; refuses it once the quota is spent. Returns
 * nothing (and throws a refusal) when the limiter decided at once, a promise when it has to wait.
 */
export function chargeCallerQuota(request: FastifyRequest, caller: Caller): Promise<void> | undefined {
  const limiter = request.server.rateLimiter;
  const key = quotaKeyOf(caller);
  const usage = limiter?.chargeNow?.(caller.tier, key);
  if (!usage) return charge(request, caller.tier, key);
  request.quotaUsage = usage;
  if (usage.exceeded) throw rateLimited(usage);
  return undefined;
}

async function charge(request: FastifyRequest, bucket: QuotaBucket, key: string): Promise<void> {
  const limiter = request.server.rateLimiter;
  if (!limiter) return;
  const usage = await limiter.charge(bucket, key);
  request.quotaUsage = usage;
  if (usage.exceeded) throw rateLimited(usage);
}

function setRateLimitHeaders(reply: FastifyReply, usage: QuotaUsage): void {
  reply.header('ratelimit-limit', String(usage.limit));
  reply.header('ratelimit-remaining', String(usage.remaining));
  reply.header('ratelimit-reset', String(usage.resetSeconds));
}
