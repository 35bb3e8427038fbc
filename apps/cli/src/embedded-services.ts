import type { ServiceOfSpan } from '@fiscal/kit/telemetry';
import { SpanKind } from '@opentelemetry/api';
import { topology } from './topology.js';

/** The service that consumes each group's events, as the topology declares them. */
const serviceOfGroup: Record<string, string> = Object.fromEntries(
  Object.values(topology.backEnds).flatMap((service) =>
    service.consumes ? [[service.consumes.group, service.name]] : [],
  ),
);

/**
 * `fiscal start` runs every service in one process; its spans are exported under the service each
 * belongs to, as `fiscal serve` would: the public API's requests are the gateway's, an RPC is the
 * service it names (`fiscal.invoice.v1.InvoiceService` → invoice), an event delivery its consumer
 * group's service, an outbox relay's publication the service whose event it is (`fiscal/invoice`);
 * every other span is its parent's.
 */
export const embeddedServiceOfSpan: ServiceOfSpan = ({ kind, attributes }) => {
  if (kind === SpanKind.SERVER) {
    const rpcService = attributes['rpc.service'];
    if (typeof rpcService !== 'string') return 'gateway';
    return /^fiscal\.([a-z]+)\./.exec(rpcService)?.[1];
  }
  if (kind === SpanKind.CONSUMER) {
    const group = attributes['messaging.consumer.group.name'];
    return typeof group === 'string' ? serviceOfGroup[group] : undefined;
  }
  if (kind === SpanKind.PRODUCER) {
    const source = attributes['cloudevents.event_source'];
    return typeof source === 'string' ? /^fiscal\/([a-z-]+)$/.exec(source)?.[1] : undefined;
  }
  return undefined;
};
