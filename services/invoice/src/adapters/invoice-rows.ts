import type { OutboxSchema } from '@fiscal/kit/outbox';
import type { ColumnType, Insertable, Selectable } from 'kysely';
import type { DocumentProblem, Invoice, InvoiceStatus } from '../domain/invoice/index.js';

type Timestamp = ColumnType<Date | string, string, string>;

export interface InvoicesTable {
  id: string;
  org_id: string;
  slot: number;
  uuid: string;
  issuer: string;
  receiver: string;
  amount: string;
  currency: string;
  issuance_date: Timestamp;
  source_kind: 'url' | 'inline';
  source_url: string | null;
  inline_document: Uint8Array | null;
  checksum: string;
  status: string;
  version: number;
  processing_attempts: number;
  reprocessings: ColumnType<number, number | undefined, number>;
  claim_started_at: Timestamp | null;
  claim_expires_at: Timestamp | null;
  storage_key: string | null;
  codec: string | null;
  original_size: number | null;
  compressed_size: number | null;
  outcome_reason: string | null;
  /** Read back parsed; written as JSON text. */
  problems: ColumnType<DocumentProblem[] | null, string | null, string | null>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface InvoiceUuidsTable {
  org_id: string;
  uuid: string;
  invoice_id: string;
  issuance_date: Timestamp;
  slot: number;
}

export interface IdempotencyKeysTable {
  org_id: string;
  key: string;
  fingerprint: string;
  body: ColumnType<unknown, string, never>;
  created_at: ColumnType<Date | string, string | undefined, never>;
}

export interface InvoiceSchema extends OutboxSchema {
  invoices: InvoicesTable;
  invoice_uuids: InvoiceUuidsTable;
  idempotency_keys: IdempotencyKeysTable;
}

export type InvoiceRow = Selectable<InvoicesTable>;

export function toRow(invoice: Invoice): Insertable<InvoicesTable> {
  return {
    id: invoice.id,
    org_id: invoice.orgId,
    slot: invoice.slot,
    uuid: invoice.uuid,
    issuer: invoice.issuer,
    receiver: invoice.receiver,
    amount: invoice.amount,
    currency: invoice.currency,
    issuance_date: invoice.issuanceDate,
    source_kind: invoice.source.kind,
    source_url: invoice.source.kind === 'url' ? invoice.source.url : null,
    inline_document:
      invoice.source.kind === 'inline' && invoice.source.xml !== ''
        ? Buffer.from(invoice.source.xml, 'utf8')
        : null,
    checksum: invoice.checksum,
    status: invoice.status,
    version: invoice.version,
    processing_attempts: invoice.processingAttempts,
    reprocessings: invoice.reprocessings,
    claim_started_at: invoice.claim?.startedAt ?? null,
    claim_expires_at: invoice.claim?.expiresAt ?? null,
    storage_key: invoice.archive?.storageKey ?? null,
    codec: invoice.archive?.codec ?? null,
    original_size: invoice.archive?.originalSize ?? null,
    compressed_size: invoice.archive?.compressedSize ?? null,
    outcome_reason: invoice.outcome?.reason ?? null,
    problems: invoice.outcome ? JSON.stringify(invoice.outcome.problems) : null,
    created_at: invoice.createdAt,
    updated_at: invoice.updatedAt,
  };
}

export function fromRow(row: InvoiceRow): Invoice {
  return {
    id: row.id,
    orgId: row.org_id,
    slot: row.slot,
    uuid: row.uuid,
    issuer: row.issuer,
    receiver: row.receiver,
    amount: row.amount,
    currency: row.currency,
    issuanceDate: isoString(row.issuance_date),
    source:
      row.source_kind === 'url'
        ? { kind: 'url', url: row.source_url ?? '' }
        : { kind: 'inline', xml: row.inline_document ? utf8Text.decode(row.inline_document) : '' },
    checksum: row.checksum,
    status: row.status as InvoiceStatus,
    version: row.version,
    processingAttempts: row.processing_attempts,
    reprocessings: row.reprocessings,
    claim:
      row.claim_started_at && row.claim_expires_at
        ? { startedAt: isoString(row.claim_started_at), expiresAt: isoString(row.claim_expires_at) }
        : null,
    archive:
      row.storage_key && row.codec
        ? {
            storageKey: row.storage_key,
            codec: row.codec,
            originalSize: row.original_size ?? 0,
            compressedSize: row.compressed_size ?? 0,
          }
        : null,
    outcome: row.outcome_reason ? { reason: row.outcome_reason, problems: row.problems ?? [] } : null,
    createdAt: isoString(row.created_at),
    updatedAt: isoString(row.updated_at),
  };
}

/** Keeps a leading byte-order mark: it is part of the document's bytes and of its checksum. */
const utf8Text = new TextDecoder('utf-8', { ignoreBOM: true });

function isoString(value: Date | string): string {
  return new Date(value).toISOString();
}
