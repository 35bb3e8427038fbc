import { createHash } from 'node:crypto';
import { IdempotencyKeyReused, type IdempotencyStore } from '../domain/invoice/index.js';

/**
 * Honours `Idempotency-Key`: the first successful answer to a keyed request is stored, and the same
 * request with the same key gets that answer again without running twice; the same key with another
 * request is refused. Failures are not stored, so a request that failed can be retried with its key.
 * `answer` must be plain JSON data: what comes back from the store is its parsed copy.
 */
export async function rememberAnswer<T>(
  store: IdempotencyStore,
  request: { orgId: string; key: string | undefined; operation: string; body: unknown },
  answer: () => Promise<T>,
): Promise<T> {
  const { orgId, key } = request;
  if (!key) return answer();
  const fingerprint = createHash('sha256')
    .update(JSON.stringify([request.operation, request.body]))
    .digest('hex');
  const stored = await store.find(orgId, key);
  if (stored) {
    if (stored.fingerprint !== fingerprint) throw new IdempotencyKeyReused();
    return stored.body as T;
  }
  const body = await answer();
  await store.save(orgId, key, { fingerprint, body });
  return body;
}
