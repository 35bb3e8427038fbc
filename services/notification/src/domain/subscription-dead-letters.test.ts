import { describe, expect, it } from 'vitest';
import type { Subscription } from './subscription.js';
import { recordDeadLetter, recordDelivered } from './subscription-dead-letters.js';

const at = new Date('2026-11-24T12:00:00.000Z');
const policy = { disableAfter: 3 };

function subscription(overrides: Partial<Subscription> = {}): Subscription {
  return {
    id: 'sub_1',
    orgId: 'org_a',
    channel: 'webhook',
    url: 'https://erp.example/hooks',
    events: ['fiscal.invoice.archived'],
    status: 'active',
    consecutiveDeadLetters: 0,
    version: 1,
    createdAt: '2026-11-01T00:00:00.000Z',
    ...overrides,
  };
}

describe('dead letters of a subscription', () => {
  it('counts a dead letter below the limit and raises nothing', () => {
    const { subscription: counted, events } = recordDeadLetter(
      subscription({ consecutiveDeadLetters: 1 }),
      policy,
      at,
    );

    expect(counted).toEqual(subscription({ consecutiveDeadLetters: 2 }));
    expect(events).toEqual([]);
  });

  it('disables an active subscription whose run reaches the limit, as a new version, and says why', () => {
    const { subscription: disabled, events } = recordDeadLetter(
      subscription({ consecutiveDeadLetters: 2, version: 4 }),
      policy,
      at,
    );

    expect(disabled).toMatchObject({ status: 'disabled', consecutiveDeadLetters: 3, version: 5 });
    expect(events).toEqual([
      {
        type: 'notification.subscription.disabled',
        data: {
          subscriptionId: 'sub_1',
          orgId: 'org_a',
          channel: 'webhook',
          reason: 'consecutive_dead_letters',
          deadLetteredDeliveries: 3,
          disabledAt: '2026-11-24T12:00:00.000Z',
        },
      },
    ]);
  });

  it.each([
    ['past the limit', 5],
    ['at the limit', 2],
  ])('only counts for a subscription already disabled (%s)', (_case, run) => {
    const disabled = subscription({ status: 'disabled', consecutiveDeadLetters: run, version: 2 });

    const change = recordDeadLetter(disabled, policy, at);

    expect(change).toEqual({ subscription: { ...disabled, consecutiveDeadLetters: run + 1 }, events: [] });
  });

  it('disables at the first dead letter when the limit is one', () => {
    expect(recordDeadLetter(subscription(), { disableAfter: 1 }, at).subscription.status).toBe('disabled');
  });

  it('starts the run over when a delivery lands, whatever the status', () => {
    for (const status of ['active', 'disabled'] as const) {
      const change = recordDelivered(subscription({ status, consecutiveDeadLetters: 7, version: 3 }));
      expect(change).toEqual({
        subscription: subscription({ status, consecutiveDeadLetters: 0, version: 3 }),
        events: [],
      });
    }
  });
});
