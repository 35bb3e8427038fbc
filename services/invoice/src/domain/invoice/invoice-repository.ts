import type { Change, Invoice } from './invoice.js';

/** The outcome of adding one new invoice: stored, or another invoice already holds its fiscal UUID. */
export type AddOutcome = { stored: true } | { stored: false; existing: Invoice };

/** A reference to an invoice: every lookup is scoped to its organisation. */
export interface InvoiceKey {
  orgId: string;
  id: string;
}

/**
 * Port: the invoice write store (sharded by issuer). Every state change goes through `add` or
 * `update`, which persist the invoice and its events (outbox) in one transaction.
 */
export interface InvoiceRepository {
  /**
   * Stores new invoices with their events, grouped per shard into multi-row inserts. An invoice
   * whose (organisation, fiscal UUID) is already taken is not stored; its outcome names the holder.
   */
  addMany(changes: readonly Change[]): Promise<AddOutcome[]>;
  findById(key: InvoiceKey): Promise<Invoice | undefined>;
  /** The issuer's invoices, newest issuance first (one shard: the issuer's slot names it). */
  findByIssuer(orgId: string, issuer: string, limit: number): Promise<Invoice[]>;
  /** Looks up fiscal UUIDs (lower-case) in every shard; the map is keyed by UUID. */
  findByUuids(orgId: string, uuids: readonly string[]): Promise<Map<string, Invoice>>;
  /**
   * Loads the invoice, applies `change` and saves the result with its events, guarded by the
   * version it read (optimistic lock); a lost race reloads and applies `change` again, a few times.
   * `change` returning undefined leaves the invoice as it is. Undefined when there is no such invoice.
   */
  update(key: InvoiceKey, change: (invoice: Invoice) => Change | undefined): Promise<Invoice | undefined>;
  /** Invoices in `processing`/`validated` whose claim lapsed before `now`: work a processor abandoned. */
  findLapsedClaims(now: Date, limit: number): Promise<InvoiceKey[]>;
}

/** Port: stored answers to requests that carried an `Idempotency-Key`, per organisation. */
export interface IdempotencyStore {
  find(orgId: string, key: string): Promise<StoredResponse | undefined>;
  /** Keeps the first answer saved under a key; a later save of the same key is ignored. */
  save(orgId: string, key: string, response: StoredResponse): Promise<void>;
}

export interface StoredResponse {
  /** Digest of the request, so a key reused for another request is noticed. */
  fingerprint: string;
  body: unknown;
}
