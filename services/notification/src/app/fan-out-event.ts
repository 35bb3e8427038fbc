import type { EventEnvelope } from '@fiscal/contracts';
import type { NotificationPayload, NotificationStore } from '../domain/index.js';

/**
 * Consumer of the notifiable events: one delivery per interested subscription, once per event. The
 * payload is fixed here so every retry of a delivery sends the same bytes under the same signature input.
 */
export function fanOutEventHandler(store: NotificationStore, clock: () => Date) {
  return async (event: EventEnvelope): Promise<number | 'duplicate'> => {
    const payload: NotificationPayload = {
      type: event.type,
      timestamp: event.time,
      data: event.data as Record<string, unknown>,
    };
    return store.fanOutOnce(event, JSON.stringify(payload), clock());
  };
}
