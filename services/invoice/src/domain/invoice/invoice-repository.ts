import type { Change, Invoice } from './invoice.js';

/** The outcome of adding one new invoice: stored, or another invoice already holds its fiscal UUID. */
export type AddOutcome = { stored: true } | { stored: false; existing: Invoice };

/** A reference to an invoice: every lookup is scoped to its organisation. */
export interface InvoiceKey {
  orgId: string;
  id: string;
}

/** One invoice's change in `updateMany`: what `update` takes, for one invoice of many. */
export interface InvoiceUpdate {
  key: InvoiceKey;
  change: (invoice: Invoice) => Change | undefined;
}

/**
 * What became of one update of `updateMany`:
 * - `updated`: the change and its events were saved;
 * - `unchanged`: `change` left the invoice as it was (returned undefined or the same invoice);
 * - `missing`: no such invoice in that organisation;
 * - `refused`: nothing saved for it: `change` threw, the optimistic lock kept losing, or its shard's
 *   transaction failed; `error` says which.
 */
export type UpdateOutcome =
  | { status: 'updated'; invoice: Invoice }
  | { status: 'unchanged'; invoice: Invoice }
  | { status: 'missing' }
  | { status: 'refused'; error: unknown };

/**
 * Port: the invoice write store (sharded by issuer). Every state change goes through `addMany`,
 * `update` or `updateMany`, which persist the invoices and their events (outbox) in one transaction
 * per shard.
 */
export interface InvoiceRepository {
  /**
   * Stores new invoices with their events, grouped per shard into multi-row inserts. An invoice
   * whose (organisation, fiscal UUID) is already taken is not stored; its outcome names the holder.
   */
  addMany(changes: readonly Change[]): Promise<AddOutcome[]>;
  findById(key: InvoiceKey): Promise<Invoice | undefined>;
  /** `findById` for many invoices at once, one statement per shard; the map is keyed by invoice id. */
  findByIds(keys: readonly InvoiceKey[]): Promise<Map<string, Invoice>>;
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
  /**
   * `update` for many invoices at once, as a constant number of statements per shard: one
   * transaction per shard reads the invoices together, applies each `change`, saves the new states
   * in one statement guarded by the versions read, and their events in one outbox insert. Only the
   * invoices that lost the optimistic-lock race are read and changed again. One invoice's refusal
   * leaves the others to be saved; outcomes are in the order of `updates`. An invoice given twice
   * is changed twice, the second time from what the first saved.
   */
  updateMany(updates: readonly InvoiceUpdate[]): Promise<UpdateOutcome[]>;
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
