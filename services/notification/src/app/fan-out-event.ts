import type { EventEnvelope } from '@fiscal/contracts';
import type { FanOut, NotificationPayload, NotificationStore } from '../domain/index.js';

/**
 * Events fanned out in one transaction. Each may make a delivery for each of its organisation's
 * subscriptions (at most `maxSubscriptionsPerOrganisation`, 50), all written by one insert of nine
 * parameters a row: 100 events stay under PostgreSQL's 65,535 parameters a statement.
 */
export const fanOutBatchSize = 100;
/** Deliveries held unacknowledged: a second batch gathers while the first commits. */
export const fanOutPrefetch = 2 * fanOutBatchSize;

/**
 * Consumer of the notifiable events, a batch at a time: one delivery per interested subscription,
 * once per event. The payload is fixed here so every retry of a delivery sends the same bytes
 * under the same signature input.
 */
export function fanOutEventsHandler(store: NotificationStore, clock: () => Date) {
  return async (events: readonly EventEnvelope[]): Promise<FanOut> => {
    const notifications = events.map((event) => {
      const payload: NotificationPayload = {
        type: event.type,
        timestamp: event.time,
        data: event.data as Record<string, unknown>,
      };
      return { event, payload: JSON.stringify(payload) };
    });
    return store.fanOutBatchOnce(notifications, clock());
  };
}
