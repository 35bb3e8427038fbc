import type { EventEnvelope } from '@fiscal/contracts';
import { context, propagation, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { Logger } from 'pino';
import { runWithLogContext } from '../log/index.js';
import { type Delivery, defaultRetryPolicy, isPermanent, type Subscription } from './event-bus.js';
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

/** Exponential back-off with "equal jitter": half fixed, half random, so retries spread out. */
export function backoffDelay(attempt: number, initialDelayMs: number, maxDelayMs: number): number {
  const ceiling = Math.min(maxDelayMs, initialDelayMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + Math.random() * (ceiling / 2));
}

/**
 * Runs one delivery through validation and the handler, inside a consumer span that continues the
 * publisher's trace, and decides what the adapter does with the message. Shared by every adapter
 * so retry, dead-letter and tracing behave the same on RabbitMQ and in process.
 */
export async function handleDelivery(
  { subscription, metrics, logger, validate }: DeliveryContext,
  raw: unknown,
  delivery: Delivery,
): Promise<DeliveryVerdict> {
  const group = subscription.group;
  const retry = subscription.retry ?? defaultRetryPolicy;
  let envelope: EventEnvelope;
  try {
    envelope = validate(raw);
  } catch (error) {
    const type =
      typeof raw === 'object' && raw !== null ? String((raw as { type?: unknown }).type) : 'unknown';
    metrics.consumed.inc({ group, type, outcome: 'rejected' });
    logger.error({ err: error, group }, 'event rejected by its contract; dead-lettering');
    return { action: 'dead-letter', error: describe(error) };
  }

  const parent = propagation.extract(context.active(), {
    traceparent: envelope.traceparent,
    tracestate: envelope.tracestate,
  });
  const span = trace.getTracer('fiscal-events').startSpan(
    `${envelope.type} process`,
    {
      kind: SpanKind.CONSUMER,
      attributes: {
        'messaging.system': 'fiscal',
        'messaging.consumer.group.name': group,
        'messaging.message.id': envelope.id,
        'messaging.operation.type': 'process',
      },
    },
    parent,
  );
  const timer = metrics.handlerDuration.startTimer({ group, type: envelope.type });
  metrics.consumerLag.set({ group }, Math.max(0, (Date.now() - Date.parse(envelope.time)) / 1_000));
  try {
    await context.with(trace.setSpan(parent, span), () =>
      runWithLogContext({ tenant: envelope.tenant }, () => subscription.handler(envelope, delivery)),
    );
    metrics.consumed.inc({ group, type: envelope.type, outcome: 'ok' });
    return { action: 'ack' };
  } catch (error) {
    span.recordException(error as Error);
    span.setStatus({ code: SpanStatusCode.ERROR, message: describe(error) });
    const exhausted = delivery.attempt >= retry.maxAttempts;
    if (isPermanent(error) || exhausted) {
      metrics.consumed.inc({ group, type: envelope.type, outcome: 'dead_lettered' });
      logger.error(
        { err: error, group, eventId: envelope.id, type: envelope.type, attempt: delivery.attempt },
        'event handler failed for good; dead-lettering',
      );
      return { action: 'dead-letter', error: describe(error) };
    }
    metrics.consumed.inc({ group, type: envelope.type, outcome: 'retried' });
    const delayMs = backoffDelay(delivery.attempt, retry.initialDelayMs, retry.maxDelayMs);
    logger.warn(
      { err: error, group, eventId: envelope.id, type: envelope.type, attempt: delivery.attempt, delayMs },
      'event handler failed; retrying later',
    );
    return { action: 'retry', delayMs, error: describe(error) };
  } finally {
    timer();
    span.end();
  }
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
