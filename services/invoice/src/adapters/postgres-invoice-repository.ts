import { createEvent } from '@fiscal/contracts';
import type { Database } from '@fiscal/kit/db';
import { appendToOutbox } from '@fiscal/kit/outbox';
import { currentTraceparent } from '@fiscal/kit/telemetry';
import { type Selectable, sql } from 'kysely';
import {
  type Invoice,
  type InvoiceEvent,
  type InvoiceRepository,
  type InvoiceStatus,
  InvoiceUuidTaken,
} from '../domain/invoice/index.js';

interface InvoicesTable {
  id: string;
  org_id: string;
  uuid: string;
  issuer: string;
  receiver: string;
  amount: string;
  currency: string;
  issuance_date: Date | string;
  source_kind: 'url' | 'inline';
  source_url: string | null;
  inline_document: string | null;
  checksum: string;
  status: string;
  version: number;
  created_at: Date | string;
  updated_at: Date | string;
}

export interface InvoiceSchema {
  invoices: InvoicesTable;
}

const uniqueViolation = '23505';

/** The invoice write store on PostgreSQL (or PGlite): rows and their outbox events in one transaction. */
export function createPostgresInvoiceRepository(database: Database<InvoiceSchema>): InvoiceRepository {
  return {
    async add(invoice, events) {
      try {
        await database.transaction(async (trx) => {
          await trx.insertInto('invoices').values(toRow(invoice)).execute();
          await appendToOutbox(
            trx,
            events.map((event) => toEnvelope(invoice, event)),
          );
        });
      } catch (error) {
        if (isUniqueViolation(error)) throw new InvoiceUuidTaken(invoice.uuid);
        throw error;
      }
    },

    async findById(orgId, id) {
      const row = await selectInvoices(database)
        .where('org_id', '=', orgId)
        .where('id', '=', id)
        .executeTakeFirst();
      return row && fromRow(row);
    },

    async findByUuid(orgId, uuid) {
      const row = await selectInvoices(database)
        .where('org_id', '=', orgId)
        .where('uuid', '=', uuid)
        .executeTakeFirst();
      return row && fromRow(row);
    },
  };
}

function selectInvoices(database: Database<InvoiceSchema>) {
  // numeric is read as text so amounts never pass through a float.
  return database.db.selectFrom('invoices').selectAll().select(sql<string>`amount::text`.as('amount'));
}

function toEnvelope(invoice: Invoice, event: InvoiceEvent) {
  return createEvent({
    type: event.type,
    source: 'fiscal/invoice',
    subject: invoice.id,
    tenant: invoice.orgId,
    sequence: invoice.version,
    data: event.data,
    traceparent: currentTraceparent(),
  });
}

function toRow(invoice: Invoice): InvoicesTable {
  return {
    id: invoice.id,
    org_id: invoice.orgId,
    uuid: invoice.uuid,
    issuer: invoice.issuer,
    receiver: invoice.receiver,
    amount: invoice.amount,
    currency: invoice.currency,
    issuance_date: invoice.issuanceDate,
    source_kind: invoice.source.kind,
    source_url: invoice.source.kind === 'url' ? invoice.source.url : null,
    inline_document: invoice.source.kind === 'inline' ? invoice.source.xml : null,
    checksum: invoice.checksum,
    status: invoice.status,
    version: invoice.version,
    created_at: invoice.createdAt,
    updated_at: invoice.updatedAt,
  };
}

function fromRow(row: Selectable<InvoicesTable>): Invoice {
  return {
    id: row.id,
    orgId: row.org_id,
    uuid: row.uuid,
    issuer: row.issuer,
    receiver: row.receiver,
    amount: row.amount,
    currency: row.currency,
    issuanceDate: isoString(row.issuance_date),
    source:
      row.source_kind === 'url'
        ? { kind: 'url', url: row.source_url ?? '' }
        : { kind: 'inline', xml: row.inline_document ?? '' },
    checksum: row.checksum,
    status: row.status as InvoiceStatus,
    version: row.version,
    createdAt: isoString(row.created_at),
    updatedAt: isoString(row.updated_at),
  };
}

function isoString(value: Date | string): string {
  return new Date(value).toISOString();
}

function isUniqueViolation(error: unknown): boolean {
  return (
    typeof error === 'object' && error !== null && (error as { code?: unknown }).code === uniqueViolation
  );
}
