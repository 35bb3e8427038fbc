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
  /**
   * The longest the next call waits, once one is answered, for the submissions of the clients it
   * answered (milliseconds; 0 sends what waits at once). It never waits longer than the call took.
   */
  gatherMs?: number;
}

interface Pending {
  message: SubmissionMessage;
  traceparent: string | undefined;
  sendAlone(): Promise<AcceptedInvoice>;
  resolve(accepted: AcceptedInvoice): void;
  reject(error: unknown): void;
}

const defaultLimit = 100;
/** Half the p99 a single submission is meant to stay under (50 ms). */
const defaultGatherMs = 25;

/** A caller with a call in flight: the submissions waiting for the next one. */
interface InFlight {
  waiting: Pending[];
  /** Set while the next call gathers: told of every submission that joins. */
  joined?: () => void;
}

/**
 * Single submissions of one caller, sent to the invoice service together. A submission that finds
 * nothing of its caller in flight is sent alone at once (`sendAlone`, with its own deadline and
 * client signal); those that arrive while it is in flight wait, and go in one `CreateInvoiceBatch`
 * when it is answered, each naming its request's trace (`fiscal-item-traceparents`), so a burst of
 * POSTs pays one gRPC call, not one each, and the service writes them in one group. An item the
 * service refused is asked again alone, so its client gets the service's own error and status.
 * Callers are never mixed: a call acts for one credential.
 *
 * A client answered by a call usually submits again at once, when the next call has already left:
 * a caller keeping N requests in flight would split into two alternating calls of N/2, each paying
 * for a call, a transaction, a publish and a projection. So the next call first waits for the
 * clients just answered: until as many submissions wait as the call answered plus those that came
 * meanwhile, and no longer than the call itself took nor `gatherMs`. A lone submission still goes
 * at once, and a caller whose clients do not come back waits at most one such pause per call.
 */
export function createSubmissionCoalescer(options: SubmissionCoalescerOptions) {
  const limit = options.limit ?? defaultLimit;
  const gatherMs = options.gatherMs ?? defaultGatherMs;
  /** A caller is here while a call of theirs is in flight; what waits behind it goes next. */
  const inFlight = new Map<string, InFlight>();

  /** Resolves once `expected` submissions wait (up to the limit), or after `waitMs`. */
  function gathered(flight: InFlight, expected: number, waitMs: number): Promise<void> | undefined {
    const enough = Math.min(expected, limit);
    if (waitMs <= 0 || flight.waiting.length >= enough) return undefined;
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        flight.joined = undefined;
        resolve();
      };
      const timer = setTimeout(done, waitMs);
      flight.joined = () => {
        if (flight.waiting.length >= enough) done();
      };
    });
  }

  async function sendWaiting(
    credential: string,
    flight: InFlight,
    caller: Requester['caller'],
    firstCallMs: number,
  ) {
    let answered = 1;
    let callMs = firstCallMs;
    for (;;) {
      // Even with nothing waiting: the clients just answered would otherwise each find no call in
      // flight and start one of their own.
      await gathered(flight, flight.waiting.length + answered, Math.min(gatherMs, callMs));
      if (flight.waiting.length === 0) break;
      const group = flight.waiting.splice(0, limit);
      const started = performance.now();
      if (group.length === 1) await settle(group[0]!, group[0]!.sendAlone());
      else await sendTogether(group, caller);
      answered = group.length;
      callMs = performance.now() - started;
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
      const flight = inFlight.get(caller.credential);
      if (flight) {
        return new Promise((resolve, reject) => {
          // In the request's context, so a call it makes alone later still carries its own trace.
          const inRequestContext = AsyncLocalStorage.snapshot();
          const own = () => inRequestContext(sendAlone);
          flight.waiting.push({
            message,
            traceparent: currentTraceparent(),
            sendAlone: own,
            resolve,
            reject,
          });
          flight.joined?.();
        });
      }
      const started: InFlight = { waiting: [] };
      inFlight.set(caller.credential, started);
      const sent = performance.now();
      return sendAlone().finally(
        () => void sendWaiting(caller.credential, started, caller, performance.now() - sent),
      );
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
