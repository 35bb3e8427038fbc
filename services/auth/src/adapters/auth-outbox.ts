import { createEvent } from '@fiscal/contracts';
import { appendToOutbox } from '@fiscal/kit/outbox';
import { currentTraceparent } from '@fiscal/kit/telemetry';
import type { Kysely } from 'kysely';
import type { AuthEvent } from '../domain/index.js';
import type { AuthSchema } from './auth-rows.js';

/**
 * Records `auth.*` events in the caller's transaction, beside the change that raised them. Identities
 * carry no version, so every event is the first of its aggregate (`sequence` 1): consumers of `auth.*`
 * events (notifications, audit) act on each one rather than fold them into state.
 */
export async function recordAuthEvents(db: Kysely<AuthSchema>, events: readonly AuthEvent[]): Promise<void> {
  await appendToOutbox(
    db,
    events.map((event) =>
      createEvent({
        type: event.type,
        source: 'fiscal/auth',
        subject: event.subject,
        tenant: event.tenant,
        sequence: 1,
        // biome-ignore lint/suspicious/noExplicitAny: `event` pairs each type with its own data
        data: event.data as any,
        traceparent: currentTraceparent(),
      }),
    ),
  );
}
