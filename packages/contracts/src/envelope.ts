/**
 * The CloudEvents 1.0 envelope every Fiscal event travels in (JSON structured mode).
 *
 * `sequence` is the aggregate version that produced the event: projections apply an event only
 * when it is newer than what they hold. `dataschema` names the schema and its version
 * (`urn:fiscal:schema:<type>:<major>.<minor>`) so a consumer can refuse a major version it does
 * not know instead of guessing.
 */
export interface EventEnvelope<TData = unknown> {
  specversion: '1.0';
  /** UUIDv7: unique per event, time-ordered. Consumers dedupe on it (inbox). */
  id: string;
  /** `fiscal/<service>` */
  source: string;
  type: string;
  /** The aggregate id. */
  subject: string;
  /** RFC 3339 timestamp of the change. */
  time: string;
  datacontenttype: 'application/json';
  dataschema: string;
  data: TData;
  /** Aggregate version (extension attribute). */
  sequence: number;
  /** Organisation id (extension attribute). */
  tenant: string;
  /** Key that keeps one aggregate's events together (extension attribute). */
  partitionkey: string;
  /** W3C trace context of the change that raised the event (extension attributes). */
  traceparent?: string;
  tracestate?: string;
}
