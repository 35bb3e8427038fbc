import { createEvent } from '@fiscal/contracts';
import type { Database } from '@fiscal/kit/db';
import { handleBatchOnce } from '@fiscal/kit/inbox';
import { appendToOutbox } from '@fiscal/kit/outbox';
import { type ColumnType, type Selectable, sql, type Transaction } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import {
  type Channel,
  type ClaimedDelivery,
  type Delivery,
  maxSubscriptionsPerOrganisation,
  type NotificationStore,
  type Subscription,
  type SubscriptionChange,
  type SubscriptionEvent,
  SubscriptionLimitReached,
  type SubscriptionStatus,
} from '../domain/index.js';
import type { SecretBox } from './secret-box.js';

type Timestamp = ColumnType<Date | string, Date | string, Date | string>;

interface SubscriptionsTable {
  id: string;
  org_id: string;
  channel: Channel;
  url: string;
  /** Read back parsed; written as JSON text. */
  events: ColumnType<string[], string, string>;
  secret: string | null;
  status: SubscriptionStatus;
  consecutive_dead_letters: ColumnType<number, number | undefined, number>;
  version: ColumnType<number, number | undefined, number>;
  created_at: Timestamp;
}

interface DeliveriesTable {
  id: string;
  subscription_id: string;
  event_id: string;
  event_type: string;
  payload: string;
  status: Delivery['status'];
  attempts: ColumnType<number, number | undefined, number>;
  next_attempt_at: Timestamp;
  claimed_until: ColumnType<Date | string | null, Date | string | null | undefined, Date | string | null>;
  last_status_code: number | null;
  last_error: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

interface DeliveryAttemptsTable {
  delivery_id: string;
  attempt: number;
  attempted_at: Timestamp;
  status_code: number | null;
  error: string | null;
  duration_ms: number;
}

export interface NotificationSchema {
  subscriptions: SubscriptionsTable;
  deliveries: DeliveriesTable;
  delivery_attempts: DeliveryAttemptsTable;
}

export const notificationGroup = 'notifications';

export function createPostgresNotificationStore(
  database: Database<NotificationSchema>,
  secrets: SecretBox,
): NotificationStore {
  const { db } = database;

  /**
   * The subscription, locked until the transaction ends. `no key update`, the lock an update of its
   * counters takes anyway: fan-outs inserting deliveries for it (which take a key share lock) go on.
   */
  async function lockSubscription(
    trx: Transaction<NotificationSchema>,
    id: string,
  ): Promise<Subscription | undefined> {
    const row = await trx
      .selectFrom('subscriptions')
      .selectAll()
      .where('id', '=', id)
      .forNoKeyUpdate()
      .executeTakeFirst();
    return row && subscriptionOf(row);
  }

  /** Saves a change of a locked subscription: its counters and status, the deliveries a disabling leaves unsendable, its events. */
  async function saveSubscriptionChange(
    trx: Transaction<NotificationSchema>,
    before: Subscription,
    { subscription: after, events }: SubscriptionChange,
    now: Date,
  ): Promise<SubscriptionEvent[]> {
    const { id } = before;
    if (
      after.consecutiveDeadLetters !== before.consecutiveDeadLetters ||
      after.status !== before.status ||
      after.version !== before.version
    ) {
      await trx
        .updateTable('subscriptions')
        .set({
          consecutive_dead_letters: after.consecutiveDeadLetters,
          status: after.status,
          version: after.version,
        })
        .where('id', '=', id)
        .execute();
    }
    if (before.status === 'active' && after.status === 'disabled') {
      // Nothing sends a disabled subscription's deliveries: say so in the log rather than leave them pending.
      await trx
        .updateTable('deliveries')
        .set({
          status: 'dead_lettered',
          last_error: 'subscription disabled',
          claimed_until: null,
          updated_at: now,
        })
        .where('subscription_id', '=', id)
        .where('status', '=', 'pending')
        .execute();
    }
    await appendToOutbox(
      trx,
      events.map((event) =>
        createEvent({
          ...event,
          source: 'fiscal/notification',
          subject: after.id,
          tenant: after.orgId,
          sequence: after.version,
        }),
      ),
    );
    return events;
  }

  const fanOutBatchOnce: NotificationStore['fanOutBatchOnce'] = async (notifications, now) => {
    // Concurrent batches holding the same event take its inbox row in one order, never crosswise.
    const entries = notifications
      .map((notification) => ({ id: notification.event.id, notification }))
      .sort((left, right) => (left.id < right.id ? -1 : left.id > right.id ? 1 : 0));
    let deliveries = 0;
    const fresh = await handleBatchOnce(database, notificationGroup, entries, async (trx, unseen) => {
      const events = unseen.map(({ notification }) => notification.event);
      const subscriptions = await trx
        .selectFrom('subscriptions')
        .select(['id', 'org_id', 'events'])
        .where('status', '=', 'active')
        .where('org_id', 'in', [...new Set(events.map((event) => event.tenant))])
        .where(sql<boolean>`events ?| ${[...new Set(events.map((event) => event.type))]}::text[]`)
        .orderBy('id')
        .execute();
      const rows = unseen.flatMap(({ notification: { event, payload } }) =>
        subscriptions
          .filter(
            (subscription) =>
              subscription.org_id === event.tenant && subscription.events.includes(event.type),
          )
          .map((subscription) => ({
            id: uuidv7(),
            subscription_id: subscription.id,
            event_id: event.id,
            event_type: event.type,
            payload,
            status: 'pending' as const,
            next_attempt_at: now,
            created_at: now,
            updated_at: now,
          })),
      );
      if (rows.length === 0) return;
      const inserted = await trx
        .insertInto('deliveries')
        .values(rows)
        .onConflict((conflict) => conflict.columns(['subscription_id', 'event_id']).doNothing())
        .returning('id')
        .execute();
      deliveries = inserted.length;
    });
    return { applied: fresh.length, deliveries };
  };

  return {
    createSubscription: (subscription) =>
      database.transaction(async (trx) => {
        await sql`select pg_advisory_xact_lock(hashtext(${`subscriptions:${subscription.orgId}`}))`.execute(
          trx,
        );
        const held = await trx
          .selectFrom('subscriptions')
          .select((eb) => eb.fn.countAll<string>().as('count'))
          .where('org_id', '=', subscription.orgId)
          .executeTakeFirstOrThrow();
        if (Number(held.count) >= maxSubscriptionsPerOrganisation)
          throw new SubscriptionLimitReached(maxSubscriptionsPerOrganisation);
        const row = await trx
          .insertInto('subscriptions')
          .values({
            id: uuidv7(),
            org_id: subscription.orgId,
            channel: subscription.channel,
            url: subscription.url,
            events: JSON.stringify(subscription.events),
            secret: subscription.secret === null ? null : secrets.seal(subscription.secret),
            status: 'active',
            created_at: new Date(),
          })
          .returningAll()
          .executeTakeFirstOrThrow();
        return subscriptionOf(row);
      }),

    async listSubscriptions(orgId) {
      const rows = await db
        .selectFrom('subscriptions')
        .selectAll()
        .where('org_id', '=', orgId)
        .orderBy('id')
        .execute();
      return rows.map(subscriptionOf);
    },

    async deleteSubscription(orgId, id) {
      const deleted = await db
        .deleteFrom('subscriptions')
        .where('org_id', '=', orgId)
        .where('id', '=', id)
        .executeTakeFirst();
      return deleted.numDeletedRows > 0n;
    },

    async listDeliveries(orgId, subscriptionId, { limit, beforeId }) {
      const owner = await db
        .selectFrom('subscriptions')
        .select('id')
        .where('org_id', '=', orgId)
        .where('id', '=', subscriptionId)
        .executeTakeFirst();
      if (!owner) return undefined;
      let query = db
        .selectFrom('deliveries')
        .selectAll()
        .where('subscription_id', '=', subscriptionId)
        .orderBy('id', 'desc')
        .limit(limit);
      if (beforeId !== undefined) query = query.where('id', '<', beforeId);
      const rows = await query.execute();
      if (rows.length === 0) return [];
      const attempts = await db
        .selectFrom('delivery_attempts')
        .selectAll()
        .where(
          'delivery_id',
          'in',
          rows.map((row) => row.id),
        )
        .orderBy('delivery_id')
        .orderBy('attempt')
        .execute();
      return rows.map((row) => deliveryOf(row, attempts));
    },

    fanOutBatchOnce,

    async fanOutOnce(event, payload, now) {
      const { applied, deliveries } = await fanOutBatchOnce([{ event, payload }], now);
      return applied === 0 ? 'duplicate' : deliveries;
    },

    async claimDue(now, limit, leaseUntil) {
      return database.transaction(async (trx) => {
        // `skip locked`: replicas claiming at once each take different rows instead of queueing on
        // the same ones; the lease keeps a claimed row away from them after this commits.
        const claimed = await sql<{ id: string }>`
          update deliveries set claimed_until = ${leaseUntil}
          where id in (
            select d.id from deliveries d
            join subscriptions s on s.id = d.subscription_id
            where d.status = 'pending'
              and d.next_attempt_at <= ${now}
              and (d.claimed_until is null or d.claimed_until < ${now})
              and s.status = 'active'
            order by d.next_attempt_at
            limit ${limit}
            for update of d skip locked
          )
          returning id`.execute(trx);
        const ids = claimed.rows.map((row) => row.id);
        if (ids.length === 0) return [];
        const rows = await trx
          .selectFrom('deliveries as d')
          .innerJoin('subscriptions as s', 's.id', 'd.subscription_id')
          .select([
            'd.id',
            'd.subscription_id',
            's.org_id',
            's.channel',
            's.url',
            's.secret',
            'd.event_type',
            'd.payload',
            'd.attempts',
          ])
          .where('d.id', 'in', ids)
          .orderBy('d.next_attempt_at')
          .execute();
        return rows.map(
          (row): ClaimedDelivery => ({
            id: row.id,
            subscriptionId: row.subscription_id,
            orgId: row.org_id,
            channel: row.channel,
            url: row.url,
            secret: row.secret === null ? null : secrets.open(row.secret),
            eventType: row.event_type,
            payload: row.payload,
            attempts: row.attempts,
          }),
        );
      });
    },

    recordAttempt(record, change) {
      return database.transaction(async (trx) => {
        // The subscription before the delivery, in every attempt that changes it: a disabling, which
        // holds the subscription while it dead-letters the pending deliveries, then never waits on a
        // delivery whose attempt waits on the subscription (a deadlock).
        const subscription = change && (await lockSubscription(trx, record.subscriptionId));
        await trx
          .insertInto('delivery_attempts')
          .values({
            delivery_id: record.deliveryId,
            attempt: record.attempt,
            attempted_at: record.attemptedAt,
            status_code: record.statusCode,
            error: record.error,
            duration_ms: record.durationMs,
          })
          .onConflict((conflict) => conflict.columns(['delivery_id', 'attempt']).doNothing())
          .execute();
        const { verdict } = record;
        const delivery = await trx
          .updateTable('deliveries')
          .set({
            status: verdict.status,
            attempts: record.attempt,
            last_status_code: record.statusCode,
            last_error: record.error,
            claimed_until: null,
            updated_at: record.attemptedAt,
            ...(verdict.status === 'pending' ? { next_attempt_at: verdict.nextAttemptAt } : {}),
          })
          .where('id', '=', record.deliveryId)
          .returning('subscription_id')
          .executeTakeFirst();
        // Deleted with its subscription meanwhile: nothing left to account for.
        if (!delivery || !change || !subscription) return [];
        return saveSubscriptionChange(trx, subscription, change(subscription), record.attemptedAt);
      });
    },

    async postpone(deliveryId, until) {
      await db
        .updateTable('deliveries')
        .set({ next_attempt_at: until, claimed_until: null })
        .where('id', '=', deliveryId)
        .execute();
    },
  };
}

function subscriptionOf(row: Selectable<SubscriptionsTable>): Subscription {
  return {
    id: row.id,
    orgId: row.org_id,
    channel: row.channel,
    url: row.url,
    events: row.events,
    status: row.status,
    consecutiveDeadLetters: row.consecutive_dead_letters,
    version: row.version,
    createdAt: new Date(row.created_at).toISOString(),
  };
}

function deliveryOf(
  row: Selectable<DeliveriesTable>,
  attempts: readonly Selectable<DeliveryAttemptsTable>[],
): Delivery {
  return {
    id: row.id,
    subscriptionId: row.subscription_id,
    eventId: row.event_id,
    eventType: row.event_type,
    status: row.status,
    attempts: row.attempts,
    lastStatusCode: row.last_status_code,
    lastError: row.last_error,
    updatedAt: new Date(row.updated_at).toISOString(),
    attemptLog: attempts
      .filter((attempt) => attempt.delivery_id === row.id)
      .map((attempt) => ({
        attempt: attempt.attempt,
        attemptedAt: new Date(attempt.attempted_at).toISOString(),
        statusCode: attempt.status_code,
        error: attempt.error,
        durationMs: attempt.duration_ms,
      })),
  };
}
