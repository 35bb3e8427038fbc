import { AsyncLocalStorage } from 'node:async_hooks';
import type { MessageInitShape } from '@bufbuild/protobuf';
import type { Client } from '@connectrpc/connect';
import type { BatchItemResult, InvoiceService, InvoiceSubmissionSchema } from '@fiscal/contracts/rpc/invoice';
import { itemTraceparentsHeader, itemTraceparentsValue } from '@fiscal/kit/grpc';
import type { Policy } from '@fiscal/kit/resilience';
import { currentTraceparent } from '@fiscal/kit/telemetry';
import type { Requester } from '../app/caller.js';
import type { AcceptedInvoice } from '../app/upstreams.js';
import { callUpstream } from './call-upstream.js';

export type SubmissionMessage = MessageInitShape<typeof InvoiceSubmissionSchema>;

export interface SubmissionCoalescerOptions {
  client: Client<typeof InvoiceService>;
  policy: Policy;
  /** What an accepted item of a batch answer is, as a single call would have answered it. */
  acceptedOf(result: Extract<BatchItemResult['outcome'], { case: 'accepted' }>['value']): AcceptedInvoice;
  /** The most submissions sent in one call. */
  limit?: number;
}

interface Pending {
  message: SubmissionMessage;
  traceparent: string | undefined;
  sendAlone(): Promise<AcceptedInvoice>;
  resolve(accepted: AcceptedInvoice): void;
  reject(error: unknown): void;
}

const defaultLimit = 100;

/**
 * Single submissions of one caller, sent to the invoice service together. A submission that finds
 * nothing of its caller in flight is sent alone at once (`sendAlone`, with its own deadline and
 * client signal); those that arrive while it is in flight wait, and go in one `CreateInvoiceBatch`
 * when it is answered, each naming its request's trace (`fiscal-item-traceparents`), so a burst of
 * POSTs pays one gRPC call, not one each, and the service writes them in one group. An item the
 * service refused is asked again alone, so its client gets the service's own error and status.
 * Callers are never mixed: a call acts for one credential.
 */
export function createSubmissionCoalescer(options: SubmissionCoalescerOptions) {
  const limit = options.limit ?? defaultLimit;
  /** A caller is here while a call of theirs is in flight; what waits behind it goes next. */
  const inFlight = new Map<string, Pending[]>();

  async function sendWaiting(credential: string, waiting: Pending[], caller: Requester['caller']) {
    while (waiting.length > 0) {
      const group = waiting.splice(0, limit);
      if (group.length === 1) await settle(group[0]!, group[0]!.sendAlone());
      else await sendTogether(group, caller);
    }
    inFlight.delete(credential);
  }

  async function sendTogether(group: readonly Pending[], caller: Requester['caller']): Promise<void> {
    let results: BatchItemResult[];
    try {
      // No client's signal: one client going away must not abort the others' submissions.
      ({ results } = await callUpstream(options.policy, { caller }, (callOptions) =>
        options.client.createInvoiceBatch(
          { submissions: group.map((pending) => pending.message), idempotencyKey: '' },
          {
            ...callOptions,
            headers: {
              ...callOptions.headers,
              [itemTraceparentsHeader]: itemTraceparentsValue(group.map((pending) => pending.traceparent)),
            },
          },
        ),
      ));
    } catch (error) {
      for (const pending of group) pending.reject(error);
      return;
    }
    const byIndex = new Map(results.map((result) => [result.index, result.outcome]));
    await Promise.all(
      group.map((pending, index) => {
        const outcome = byIndex.get(index);
        if (outcome?.case === 'accepted')
          return settle(pending, Promise.resolve(options.acceptedOf(outcome.value)));
        // Refused (rare): asked again alone, nothing having been stored, for the service's own error.
        return settle(pending, pending.sendAlone());
      }),
    );
  }

  return {
    submit(
      requester: Requester,
      message: SubmissionMessage,
      sendAlone: () => Promise<AcceptedInvoice>,
    ): Promise<AcceptedInvoice> {
      const { caller } = requester;
      const waiting = inFlight.get(caller.credential);
      if (waiting) {
        return new Promise((resolve, reject) => {
          // In the request's context, so a call it makes alone later still carries its own trace.
          const inRequestContext = AsyncLocalStorage.snapshot();
          const own = () => inRequestContext(sendAlone);
          waiting.push({ message, traceparent: currentTraceparent(), sendAlone: own, resolve, reject });
        });
      }
      const behind: Pending[] = [];
      inFlight.set(caller.credential, behind);
      return sendAlone().finally(() => void sendWaiting(caller.credential, behind, caller));
    },
  };
}

async function settle(pending: Pending, answer: Promise<AcceptedInvoice>): Promise<void> {
  try {
    pending.resolve(await answer);
  } catch (error) {
    pending.reject(error);
  }
}
