import type { EventEnvelope } from '@fiscal/contracts';
import { context, type Link, propagation, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { Logger } from 'pino';
import { runWithLogContext } from '../log/index.js';
import {
  type BatchItem,
  type Delivery,
  defaultPrefetch,
  defaultRetryPolicy,
  isPermanent,
  type Subscription,
} from './event-bus.js';
import type { EventMetrics } from './metrics.js';

export type DeliveryVerdict =
  | { action: 'ack' }
  | { action: 'retry'; delayMs: number; error: string }
  | { action: 'dead-letter'; error: string };

export interface DeliveryContext {
  subscription: Subscription;
  metrics: EventMetrics;
  logger: Logger;
  validate: (value: unknown) => EventEnvelope;
}

/** One message as the adapter received it: its body, not yet checked against the contracts. */
export interface RawDelivery {
  raw: unknown;
  delivery: Delivery;
}

const tracer = trace.getTracer('fiscal-events');

/** Exponential back-off with "equal jitter": half fixed, half random, so retries spread out. */
export function backoffDelay(attempt: number, initialDelayMs: number, maxDelayMs: number): number {
  const ceiling = Math.min(maxDelayMs, initialDelayMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + Math.random() * (ceiling / 2));
}

/** How many deliveries an adapter hands `handleDeliveries` at once: 1 for one-at-a-time handlers. */
export function batchSizeOf(subscription: Subscription): number {
  if (!subscription.handleBatch) return 1;
  return Math.max(1, subscription.batchSize ?? subscription.prefetch ?? defaultPrefetch);
}

/**
 * Runs one delivery through validation and the handler, inside a consumer span that continues the
 * publisher's trace, and decides what the adapter does with the message. Shared by every adapter
 * so retry, dead-letter and tracing behave the same on RabbitMQ and in process.
 */
export async function handleDelivery(
  deliveryContext: DeliveryContext,
  raw: unknown,
  delivery: Delivery,
): Promise<DeliveryVerdict> {
  const [verdict] = await handleDeliveries(deliveryContext, [{ raw, delivery }]);
  return verdict!;
}

/**
 * Runs deliveries through validation and the subscription's handler, and decides, for each, what
 * the adapter does with its message (verdicts in the order of `deliveries`). A batch handler gets
 * the valid ones together, in one span linked to each publisher's trace; when it fails, each is
 * handled again on its own, so only the events that fail alone are retried or dead-lettered.
 */
export async function handleDeliveries(
  deliveryContext: DeliveryContext,
  deliveries: readonly RawDelivery[],
): Promise<DeliveryVerdict[]> {
  const { subscription, metrics, logger } = deliveryContext;
  const group = subscription.group;
  const verdicts: DeliveryVerdict[] = new Array(deliveries.length);
  const valid: { index: number; item: BatchItem }[] = [];
  deliveries.forEach(({ raw, delivery }, index) => {
    try {
      valid.push({ index, item: { event: deliveryContext.validate(raw), delivery } });
    } catch (error) {
      const type =
        typeof raw === 'object' && raw !== null ? String((raw as { type?: unknown }).type) : 'unknown';
      metrics.consumed.inc({ group, type, outcome: 'rejected' });
      logger.error({ err: error, group }, 'event rejected by its contract; dead-lettering');
      verdicts[index] = { action: 'dead-letter', error: describe(error) };
    }
  });

  if (subscription.handleBatch && valid.length > 1) {
    const batch = valid.map(({ item }) => item);
    try {
      await inBatchSpan(deliveryContext, batch, () => subscription.handleBatch(batch));
      for (const { index, item } of valid) {
        metrics.consumed.inc({ group, type: item.event.type, outcome: 'ok' });
        verdicts[index] = { action: 'ack' };
      }
      return verdicts;
    } catch (error) {
      logger.warn(
        { err: error, group, events: batch.length },
        'event batch failed; handling its events one at a time',
      );
    }
  }
  for (const { index, item } of valid) verdicts[index] = await handleOne(deliveryContext, item);
  return verdicts;
}

async function handleOne(
  { subscription, metrics, logger }: DeliveryContext,
  { event, delivery }: BatchItem,
): Promise<DeliveryVerdict> {
  const group = subscription.group;
  const retry = subscription.retry ?? defaultRetryPolicy;
  const parent = propagation.extract(context.active(), {
    traceparent: event.traceparent,
    tracestate: event.tracestate,
  });
  const span = tracer.startSpan(
    `${event.type} process`,
    {
      kind: SpanKind.CONSUMER,
      attributes: {
        'messaging.system': 'fiscal',
        'messaging.consumer.group.name': group,
        'messaging.message.id': event.id,
        'messaging.operation.type': 'process',
      },
    },
    parent,
  );
  const timer = metrics.handlerDuration.startTimer({ group, type: event.type });
  metrics.consumerLag.set({ group }, lagSecondsOf(event));
  try {
    await context.with(trace.setSpan(parent, span), () =>
      runWithLogContext({ tenant: event.tenant }, () =>
        subscription.handleBatch
          ? subscription.handleBatch([{ event, delivery }])
          : subscription.handler(event, delivery),
      ),
    );
    metrics.consumed.inc({ group, type: event.type, outcome: 'ok' });
    return { action: 'ack' };
  } catch (error) {
    span.recordException(error as Error);
    span.setStatus({ code: SpanStatusCode.ERROR, message: describe(error) });
    const exhausted = delivery.attempt >= retry.maxAttempts;
    if (isPermanent(error) || exhausted) {
      metrics.consumed.inc({ group, type: event.type, outcome: 'dead_lettered' });
      logger.error(
        { err: error, group, eventId: event.id, type: event.type, attempt: delivery.attempt },
        'event handler failed for good; dead-lettering',
      );
      return { action: 'dead-letter', error: describe(error) };
    }
    metrics.consumed.inc({ group, type: event.type, outcome: 'retried' });
    const delayMs = backoffDelay(delivery.attempt, retry.initialDelayMs, retry.maxDelayMs);
    logger.warn(
      { err: error, group, eventId: event.id, type: event.type, attempt: delivery.attempt, delayMs },
      'event handler failed; retrying later',
    );
    return { action: 'retry', delayMs, error: describe(error) };
  } finally {
    timer();
    span.end();
  }
}

/**
 * One consumer span for a batch: it has many parents, so it starts a trace of its own and links to
 * each publisher's span (OpenTelemetry's messaging conventions for batch processing).
 */
async function inBatchSpan(
  { subscription, metrics }: DeliveryContext,
  batch: readonly BatchItem[],
  work: () => Promise<void>,
): Promise<void> {
  const group = subscription.group;
  const links: Link[] = [];
  let oldest = batch[0]!.event;
  for (const { event } of batch) {
    const publisher = trace.getSpanContext(
      propagation.extract(context.active(), { traceparent: event.traceparent, tracestate: event.tracestate }),
    );
    if (publisher) links.push({ context: publisher });
    if (event.time < oldest.time) oldest = event;
  }
  const span = tracer.startSpan(`${group} process`, {
    kind: SpanKind.CONSUMER,
    links,
    attributes: {
      'messaging.system': 'fiscal',
      'messaging.consumer.group.name': group,
      'messaging.batch.message_count': batch.length,
      'messaging.operation.type': 'process',
    },
  });
  const timer = metrics.handlerDuration.startTimer({ group, type: 'batch' });
  metrics.consumerLag.set({ group }, lagSecondsOf(oldest));
  try {
    await context.with(trace.setSpan(context.active(), span), work);
  } catch (error) {
    span.recordException(error as Error);
    span.setStatus({ code: SpanStatusCode.ERROR, message: describe(error) });
    throw error;
  } finally {
    timer();
    span.end();
  }
}

function lagSecondsOf(event: EventEnvelope): number {
  return Math.max(0, (Date.now() - Date.parse(event.time)) / 1_000);
}

function describe(error: unknown): string {
  return (error instanceof Error ? `${error.name}: ${error.message}` : String(error)).slice(0, 2_000);
}

/** Default validation until the composition root passes the contract catalog's `parseEvent`. */
export function checkEnvelopeShape(value: unknown): EventEnvelope {
  const envelope = value as Partial<EventEnvelope> | null;
  const valid =
    typeof envelope === 'object' &&
    envelope !== null &&
    envelope.specversion === '1.0' &&
    typeof envelope.id === 'string' &&
    typeof envelope.type === 'string' &&
    typeof envelope.source === 'string' &&
    typeof envelope.subject === 'string' &&
    typeof envelope.time === 'string';
  if (!valid) {
    const error = new Error('not a CloudEvents 1.0 envelope') as Error & { permanent: boolean };
    error.permanent = true;
    throw error;
  }
  return envelope as EventEnvelope;
}
