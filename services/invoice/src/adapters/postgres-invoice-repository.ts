import { createEvent, type FiscalEventType } from '@fiscal/contracts';
import { appendToOutbox } from '@fiscal/kit/outbox';
import { currentTraceparent } from '@fiscal/kit/telemetry';
import { type Kysely, sql, type Transaction } from 'kysely';
import type {
  AddOutcome,
  Change,
  Invoice,
  InvoiceEvent,
  InvoiceRepository,
} from '../domain/invoice/index.js';
import { InvoiceVersionConflict } from '../domain/invoice/index.js';
import { slotOfInvoiceId, slotOfIssuer } from '../domain/sharding/index.js';
import { fromRow, type InvoiceSchema, toRow } from './invoice-rows.js';
import type { InvoiceShard, InvoiceShards } from './invoice-shards.js';

const maximumUpdateAttempts = 5;

/**
 * The invoice write store over PostgreSQL (or PGlite) shards. An invoice lives on the shard of its
 * issuer's slot; ids carry the slot, so reads and updates by id touch one shard. Rows and their
 * outbox events commit in one transaction on that shard.
 */
export function createPostgresInvoiceRepository(shards: InvoiceShards): InvoiceRepository {
  async function addToShard(shard: InvoiceShard, changes: readonly Change[]): Promise<Set<string>> {
    await shard.ensurePartitions(changes.map((change) => change.invoice.issuanceDate));
    return shard.database.transaction(async (trx) => {
      // The fiscal UUID index decides who owns each UUID; only the owners are written.
      const owned = await trx
        .insertInto('invoice_uuids')
        .values(
          changes.map(({ invoice }) => ({
            org_id: invoice.orgId,
            uuid: invoice.uuid,
            invoice_id: invoice.id,
            issuance_date: invoice.issuanceDate,
            slot: invoice.slot,
          })),
        )
        .onConflict((conflict) => conflict.columns(['org_id', 'uuid']).doNothing())
        .returning('invoice_id')
        .execute();
      const ownedIds = new Set(owned.map((row) => row.invoice_id));
      const stored = changes.filter((change) => ownedIds.has(change.invoice.id));
      if (stored.length > 0) {
        await trx
          .insertInto('invoices')
          .values(stored.map((change) => toRow(change.invoice)))
          .execute();
        await appendToOutbox(
          trx,
          stored.flatMap((change) => change.events.map((event) => toEnvelope(change.invoice, event))),
        );
      }
      return ownedIds;
    });
  }

  const repository: InvoiceRepository = {
    async addMany(changes) {
      const byShard = groupBy(changes, (change) => shards.forSlot(change.invoice.slot));
      const storedIds = new Set<string>();
      await Promise.all(
        [...byShard].map(async ([shard, group]) => {
          for (const id of await addToShard(shard, group)) storedIds.add(id);
        }),
      );
      const lost = changes.filter((change) => !storedIds.has(change.invoice.id));
      const holders = new Map<string, Invoice>();
      for (const [orgId, group] of groupBy(lost, (change) => change.invoice.orgId)) {
        const found = await repository.findByUuids(
          orgId,
          group.map((change) => change.invoice.uuid),
        );
        for (const [uuid, invoice] of found) holders.set(`${orgId}/${uuid}`, invoice);
      }
      return changes.map(({ invoice }): AddOutcome => {
        if (storedIds.has(invoice.id)) return { stored: true };
        const existing = holders.get(`${invoice.orgId}/${invoice.uuid}`);
        // The holder was removed between the insert and the lookup: nothing an insert can win.
        if (!existing) throw new InvoiceVersionConflict(invoice.id);
        return { stored: false, existing };
      });
    },

    async findById({ orgId, id }) {
      const slot = slotOfInvoiceId(id);
      if (slot === undefined) return undefined;
      const row = await selectInvoices(shards.forSlot(slot).database.db)
        .where('id', '=', id)
        .where('org_id', '=', orgId)
        .executeTakeFirst();
      return row && fromRow(row);
    },

    async findByIssuer(orgId, issuer, limit) {
      const rows = await selectInvoices(shards.forSlot(slotOfIssuer(issuer)).database.db)
        .where('org_id', '=', orgId)
        .where('issuer', '=', issuer)
        .orderBy('issuance_date', 'desc')
        .limit(limit)
        .execute();
      return rows.map(fromRow);
    },

    async findByUuids(orgId, uuids) {
      const found = new Map<string, Invoice>();
      if (uuids.length === 0) return found;
      // The UUID alone does not name a shard (the issuer does), so every shard is asked, at once.
      const rows = await Promise.all(
        shards.all.map((shard) =>
          selectInvoices(shard.database.db)
            .innerJoin('invoice_uuids', (join) =>
              join
                .onRef('invoice_uuids.invoice_id', '=', 'invoices.id')
                .onRef('invoice_uuids.issuance_date', '=', 'invoices.issuance_date'),
            )
            .where('invoice_uuids.org_id', '=', orgId)
            .where('invoice_uuids.uuid', 'in', [...new Set(uuids)])
            .execute(),
        ),
      );
      for (const row of rows.flat()) found.set(row.uuid, fromRow(row));
      return found;
    },

    async update(key, change) {
      const slot = slotOfInvoiceId(key.id);
      if (slot === undefined) return undefined;
      const { database } = shards.forSlot(slot);
      for (let attempt = 1; attempt <= maximumUpdateAttempts; attempt++) {
        const outcome = await database.transaction(async (trx) => {
          const row = await selectInvoices(trx)
            .where('id', '=', key.id)
            .where('org_id', '=', key.orgId)
            .executeTakeFirst();
          if (!row) return { done: true as const, invoice: undefined };
          const current = fromRow(row);
          const next = change(current);
          if (!next || next.invoice === current) return { done: true as const, invoice: current };
          const saved = await saveVersion(trx, current, next);
          return saved ? { done: true as const, invoice: next.invoice } : { done: false as const };
        });
        if (outcome.done) return outcome.invoice;
      }
      throw new InvoiceVersionConflict(key.id);
    },

    async findLapsedClaims(now, limit) {
      const rows = await Promise.all(
        shards.all.map((shard) =>
          shard.database.db
            .selectFrom('invoices')
            .select(['org_id', 'id'])
            .where('status', 'in', ['processing', 'validated'])
            .where('claim_expires_at', '<', now.toISOString())
            .orderBy('claim_expires_at')
            .limit(limit)
            .execute(),
        ),
      );
      return rows
        .flat()
        .slice(0, limit)
        .map((row) => ({ orgId: row.org_id, id: row.id }));
    },
  };
  return repository;
}

/** Writes the next state only if nobody changed the row since `current` was read. */
async function saveVersion(
  trx: Transaction<InvoiceSchema>,
  current: Invoice,
  next: Change,
): Promise<boolean> {
  const { id, org_id, slot, uuid, issuance_date, created_at, ...mutable } = toRow(next.invoice);
  const result = await trx
    .updateTable('invoices')
    .set(mutable)
    .where('id', '=', current.id)
    .where('issuance_date', '=', current.issuanceDate)
    .where('version', '=', current.version)
    .executeTakeFirst();
  if (result.numUpdatedRows === 0n) return false;
  await appendToOutbox(
    trx,
    next.events.map((event) => toEnvelope(next.invoice, event)),
  );
  return true;
}

function selectInvoices(db: Kysely<InvoiceSchema>) {
  // numeric is read as text so amounts never pass through a float.
  return db
    .selectFrom('invoices')
    .selectAll('invoices')
    .select(sql<string>`invoices.amount::text`.as('amount'));
}

function toEnvelope(invoice: Invoice, event: InvoiceEvent) {
  return createEvent({
    type: event.type as FiscalEventType,
    source: 'fiscal/invoice',
    subject: invoice.id,
    tenant: invoice.orgId,
    sequence: invoice.version,
    // biome-ignore lint/suspicious/noExplicitAny: `event` pairs each type with its own data
    data: event.data as any,
    traceparent: currentTraceparent(),
  });
}

function groupBy<T, K>(items: readonly T[], keyOf: (item: T) => K): Map<K, T[]> {
  const groups = new Map<K, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const group = groups.get(key);
    if (group) group.push(item);
    else groups.set(key, [item]);
  }
  return groups;
}
