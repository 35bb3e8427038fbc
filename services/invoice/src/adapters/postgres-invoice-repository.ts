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
  InvoiceUpdate,
  UpdateOutcome,
} from '../domain/invoice/index.js';
import { InvoiceVersionConflict } from '../domain/invoice/index.js';
import { slotOfInvoiceId, slotOfIssuer } from '../domain/sharding/index.js';
import { createGroupCommit } from './group-commit.js';
import { fromRow, type InvoiceSchema, type InvoicesTable, toRow } from './invoice-rows.js';
import type { InvoiceShard, InvoiceShards } from './invoice-shards.js';

/** Rounds an invoice's update may lose to a concurrent change before it is refused. */
const maximumUpdateAttempts = 5;
/** Tries of a shard's transaction that PostgreSQL aborted as a deadlock or serialization failure. */
const maximumTransactionAttempts = 3;
const retriedTransactionErrors = new Set(['40P01', '40001']);
/** New invoices written in one group: a full batch, whose rows stay within PostgreSQL's parameter limit. */
const maximumAdditionsPerGroup = 1_000;

/**
 * The invoice write store over PostgreSQL (or PGlite) shards. An invoice lives on the shard of its
 * issuer's slot; ids carry the slot, so reads and updates by id touch one shard. Rows and their
 * outbox events commit in one transaction on that shard.
 */
export function createPostgresInvoiceRepository(shards: InvoiceShards): InvoiceRepository {
  /** One new invoice with its events, made in the trace of the request that created it. */
  interface Addition {
    change: Change;
    envelopes: ReturnType<typeof toEnvelope>[];
  }

  async function addToShard(shard: InvoiceShard, additions: readonly Addition[]): Promise<Set<string>> {
    await shard.ensurePartitions(additions.map(({ change }) => change.invoice.issuanceDate));
    return shard.database.transaction(async (trx) => {
      // The fiscal UUID index decides who owns each UUID; only the owners are written.
      const owned = await trx
        .insertInto('invoice_uuids')
        .values(
          additions.map(({ change: { invoice } }) => ({
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
      const stored = additions.filter(({ change }) => ownedIds.has(change.invoice.id));
      if (stored.length > 0) {
        await trx
          .insertInto('invoices')
          .values(stored.map(({ change }) => toRow(change.invoice)))
          .execute();
        await appendToOutbox(
          trx,
          stored.flatMap(({ envelopes }) => envelopes),
        );
      }
      return ownedIds;
    });
  }

  /** The invoices holding these (organisation, fiscal UUID) pairs, on any shard, by `uuidKey`. */
  async function holdersOf(invoices: readonly Invoice[]): Promise<Map<string, Invoice>> {
    const holders = new Map<string, Invoice>();
    await Promise.all(
      [...groupBy(invoices, (invoice) => invoice.orgId)].map(async ([orgId, group]) => {
        const found = await repository.findByUuids(
          orgId,
          group.map((invoice) => invoice.uuid),
        );
        for (const [uuid, holder] of found) holders.set(uuidKey(orgId, uuid), holder);
      }),
    );
    return holders;
  }

  /**
   * The invoices holding these UUIDs on the shards other than each one's own, by `uuidKey`. A UUID
   * taken on an invoice's own shard needs no lookup first: that shard's UUID index refuses it to
   * the insert, and the holder is looked up then.
   */
  async function holdersElsewhere(invoices: readonly Invoice[]): Promise<Map<string, Invoice>> {
    const holders = new Map<string, Invoice>();
    await Promise.all(
      shards.all.flatMap((shard) => {
        const foreign = invoices.filter((invoice) => shards.forSlot(invoice.slot) !== shard);
        return [...groupBy(foreign, (invoice) => invoice.orgId)].map(async ([orgId, group]) => {
          const uuids = [...new Set(group.map((invoice) => invoice.uuid))];
          for (const row of await selectHoldersOfUuids(shard.database.db, orgId, uuids).execute())
            holders.set(uuidKey(orgId, row.uuid), fromRow(row));
        });
      }),
    );
    return holders;
  }

  /**
   * The additions of a group of `addMany` calls: one lookup of their UUIDs on each other shard (a
   * UUID's index lives on its issuer's shard, so one taken under another issuer is found only by
   * looking) and one transaction per shard for all of them.
   */
  async function addGroup(calls: readonly Addition[][]): Promise<AddOutcome[][]> {
    const additions = calls.flat();
    const holders = await holdersElsewhere(additions.map(({ change }) => change.invoice));
    // The first addition of a UUID writes it; the others are answered with what it became.
    const firstOfUuid = new Map<string, Addition>();
    for (const addition of additions) {
      const key = uuidKey(addition.change.invoice.orgId, addition.change.invoice.uuid);
      if (!holders.has(key) && !firstOfUuid.has(key)) firstOfUuid.set(key, addition);
    }
    const writes = [...firstOfUuid.values()];
    const storedIds = new Set<string>();
    await Promise.all(
      [...groupBy(writes, ({ change }) => shards.forSlot(change.invoice.slot))].map(
        async ([shard, group]) => {
          for (const id of await addToShard(shard, group)) storedIds.add(id);
        },
      ),
    );
    for (const { change } of writes) {
      if (storedIds.has(change.invoice.id))
        holders.set(uuidKey(change.invoice.orgId, change.invoice.uuid), change.invoice);
    }
    const lost = writes.filter(({ change }) => !storedIds.has(change.invoice.id));
    for (const [key, holder] of await holdersOf(lost.map(({ change }) => change.invoice)))
      holders.set(key, holder);
    return calls.map((call) =>
      call.map(({ change: { invoice } }): AddOutcome => {
        if (storedIds.has(invoice.id)) return { stored: true };
        const existing = holders.get(uuidKey(invoice.orgId, invoice.uuid));
        // The holder was removed between the insert and the lookup: nothing an insert can win.
        if (!existing) throw new InvoiceVersionConflict(invoice.id);
        return { stored: false, existing };
      }),
    );
  }

  // Concurrent `addMany` calls are written together (group-commit.ts): the statements of one group.
  const addInGroups = createGroupCommit<Addition[], AddOutcome[]>({
    write: addGroup,
    sizeOf: (call) => call.length,
    limit: maximumAdditionsPerGroup,
  });

  const repository: InvoiceRepository = {
    async addMany(changes) {
      if (changes.length === 0) return [];
      // Envelopes are made now, in the caller's trace: each event continues its own request's trace.
      return addInGroups(
        changes.map((change) => ({
          change,
          envelopes: change.events.map((event) => toEnvelope(change.invoice, event)),
        })),
      );
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

    async findByIds(keys) {
      const idsByShard = new Map<InvoiceShard, string[]>();
      for (const { id } of keys) {
        const slot = slotOfInvoiceId(id);
        if (slot === undefined) continue;
        const shard = shards.forSlot(slot);
        const ids = idsByShard.get(shard);
        if (ids) ids.push(id);
        else idsByShard.set(shard, [id]);
      }
      const rows = await Promise.all(
        [...idsByShard].map(([shard, ids]) => selectInvoicesByIds(shard.database.db, ids).execute()),
      );
      const orgOf = new Map(keys.map((key) => [key.id, key.orgId]));
      const found = new Map<string, Invoice>();
      for (const row of rows.flat()) if (orgOf.get(row.id) === row.org_id) found.set(row.id, fromRow(row));
      return found;
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
      const distinct = [...new Set(uuids)];
      const rows = await Promise.all(
        shards.all.map((shard) => selectHoldersOfUuids(shard.database.db, orgId, distinct).execute()),
      );
      for (const row of rows.flat()) found.set(row.uuid, fromRow(row));
      return found;
    },

    async update(key, change) {
      const [outcome] = await repository.updateMany([{ key, change }]);
      if (outcome?.status === 'refused') throw outcome.error;
      return outcome?.status === 'missing' ? undefined : outcome?.invoice;
    },

    async updateMany(updates) {
      const outcomes: UpdateOutcome[] = new Array(updates.length);
      const byShard = new Map<InvoiceShard, number[]>();
      updates.forEach(({ key }, position) => {
        const slot = slotOfInvoiceId(key.id);
        if (slot === undefined) outcomes[position] = { status: 'missing' };
        else {
          const shard = shards.forSlot(slot);
          const positions = byShard.get(shard);
          if (positions) positions.push(position);
          else byShard.set(shard, [position]);
        }
      });
      await Promise.all(
        [...byShard].map(async ([shard, positions]) => {
          const group = positions.map((position) => updates[position]!);
          const results = await updateOnShard(shard, group).catch((error: unknown) =>
            group.map((): UpdateOutcome => ({ status: 'refused', error })),
          );
          positions.forEach((position, index) => {
            outcomes[position] = results[index]!;
          });
        }),
      );
      return outcomes;
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

/**
 * Applies the updates of one shard in one transaction. A deadlock between two overlapping batches
 * (PostgreSQL aborts one of them) redoes the whole transaction; it has saved nothing.
 */
async function updateOnShard(
  shard: InvoiceShard,
  updates: readonly InvoiceUpdate[],
): Promise<UpdateOutcome[]> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await shard.database.transaction((trx) => applyUpdates(trx, updates));
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (attempt >= maximumTransactionAttempts || !retriedTransactionErrors.has(code ?? '')) throw error;
    }
  }
}

/**
 * Reads the invoices together, applies each change, saves the new states in one statement guarded by
 * the versions read, then appends every event in one insert. Rounds repeat only for the invoices whose
 * version moved meanwhile, or that were given twice (the second change applies to what the first saved).
 */
async function applyUpdates(
  trx: Transaction<InvoiceSchema>,
  updates: readonly InvoiceUpdate[],
): Promise<UpdateOutcome[]> {
  const outcomes: UpdateOutcome[] = new Array(updates.length);
  const saved: Change[] = [];
  const lostRaces = new Map<number, number>();
  let pending = updates.map((_, position) => position);
  while (pending.length > 0) {
    const round: number[] = [];
    const later: number[] = [];
    const ids = new Set<string>();
    for (const position of pending) {
      const { id } = updates[position]!.key;
      if (ids.has(id)) later.push(position);
      else {
        ids.add(id);
        round.push(position);
      }
    }
    const rows = await selectInvoicesByIds(trx, [...ids]).execute();
    const rowsById = new Map(rows.map((row) => [row.id, row]));
    const writes: VersionedWrite[] = [];
    for (const position of round) {
      const { key, change } = updates[position]!;
      const row = rowsById.get(key.id);
      if (!row || row.org_id !== key.orgId) {
        outcomes[position] = { status: 'missing' };
        continue;
      }
      const current = fromRow(row);
      let next: Change | undefined;
      try {
        next = change(current);
      } catch (error) {
        outcomes[position] = { status: 'refused', error };
        continue;
      }
      if (!next || next.invoice === current) outcomes[position] = { status: 'unchanged', invoice: current };
      else writes.push({ position, current, next });
    }
    const won = await saveVersions(trx, writes);
    const again: number[] = [];
    for (const { position, current, next } of writes) {
      if (won.has(current.id)) {
        outcomes[position] = { status: 'updated', invoice: next.invoice };
        saved.push(next);
        continue;
      }
      const lost = (lostRaces.get(position) ?? 0) + 1;
      lostRaces.set(position, lost);
      if (lost >= maximumUpdateAttempts)
        outcomes[position] = { status: 'refused', error: new InvoiceVersionConflict(current.id) };
      else again.push(position);
    }
    // In the order given, so an invoice's second update still follows its first.
    pending = [...again, ...later].sort((a, b) => a - b);
  }
  await appendToOutbox(
    trx,
    saved.flatMap((change) => change.events.map((event) => toEnvelope(change.invoice, event))),
  );
  return outcomes;
}

interface VersionedWrite {
  position: number;
  current: Invoice;
  next: Change;
}

/**
 * What an update may change, with its SQL type: every column but the invoice's identity (id,
 * organisation, slot, fiscal UUID, issuance date, creation). The inline document is written apart,
 * only when it changed: rewriting its bytes on every transition would cost as much as the rest.
 */
const versionedColumns = [
  ['issuer', 'text'],
  ['receiver', 'text'],
  ['amount', 'numeric'],
  ['currency', 'text'],
  ['source_kind', 'text'],
  ['source_url', 'text'],
  ['checksum', 'text'],
  ['status', 'text'],
  ['version', 'integer'],
  ['processing_attempts', 'integer'],
  ['reprocessings', 'integer'],
  ['claim_started_at', 'timestamptz'],
  ['claim_expires_at', 'timestamptz'],
  ['storage_key', 'text'],
  ['codec', 'text'],
  ['original_size', 'integer'],
  ['compressed_size', 'integer'],
  ['outcome_reason', 'text'],
  ['problems', 'jsonb'],
  ['updated_at', 'timestamptz'],
] as const satisfies readonly (readonly [keyof InvoicesTable, string])[];

type VersionedColumn = (typeof versionedColumns)[number][0];

// One statement for any number of rows: the new states travel as one JSON parameter, typed by the
// record definition, and each row is written only if its version is still the one read.
const saveVersionsStatement = {
  assignments: sql.raw(
    [
      ...versionedColumns.map(([column]) => `${column} = next.${column}`),
      'inline_document = case when next.document_changed then next.inline_document else target.inline_document end',
    ].join(', '),
  ),
  record: sql.raw(
    [
      'id text',
      'issuance_date timestamptz',
      'read_version integer',
      'document_changed boolean',
      'inline_document bytea',
      ...versionedColumns.map(([column, type]) => `${column} ${type}`),
    ].join(', '),
  ),
};

/** Writes each next state whose row is still at the version read; the ids of those written. */
async function saveVersions(
  trx: Transaction<InvoiceSchema>,
  writes: readonly VersionedWrite[],
): Promise<Set<string>> {
  if (writes.length === 0) return new Set();
  const records = writes.map(({ current, next }) => versionRecord(current, next.invoice));
  const { rows } = await versionedUpdate(records).execute(trx);
  return new Set(rows.map((row) => row.id));
}

/** The statement that writes each record whose row is still at the version it was read at. */
export function versionedUpdate(records: readonly Record<string, unknown>[]) {
  const { assignments, record } = saveVersionsStatement;
  return sql<{ id: string }>`
    update invoices as target set ${assignments}
      from jsonb_to_recordset(${JSON.stringify(records)}::jsonb) as next(${record})
     where target.id = next.id
       and target.issuance_date = next.issuance_date
       and target.version = next.read_version
       -- The ids again, as an array the planner can look up in each partition's index on id;
       -- joined to the JSON records alone, it hashed and scanned the whole partition.
       and target.id = any(${records.map((record) => record.id)}::text[])
    returning target.id`;
}

function versionRecord(current: Invoice, next: Invoice): Record<string, unknown> {
  const row = toRow(next);
  const documentChanged = !sameSource(current, next);
  const record: Record<string, unknown> = {
    id: current.id,
    issuance_date: current.issuanceDate,
    read_version: current.version,
    document_changed: documentChanged,
    // bytea input: hex escape, so the document's bytes survive the JSON text unchanged. Only a
    // changed document travels: a transition would otherwise send twice its size for nothing.
    inline_document:
      documentChanged && row.inline_document
        ? `\\x${Buffer.from(row.inline_document).toString('hex')}`
        : null,
  };
  for (const [column] of versionedColumns) record[column] = row[column as VersionedColumn];
  // jsonb takes the problems as JSON, not as the text toRow writes for an insert.
  record.problems = next.outcome?.problems ?? null;
  return record;
}

function sameSource({ source: before }: Invoice, { source: after }: Invoice): boolean {
  if (before.kind === 'url') return after.kind === 'url' && after.url === before.url;
  return after.kind === 'inline' && after.xml === before.xml;
}

/** The invoices of an organisation holding these fiscal UUIDs on one shard. */
export function selectHoldersOfUuids(db: Kysely<InvoiceSchema>, orgId: string, uuids: readonly string[]) {
  return (
    selectInvoices(db)
      .innerJoin('invoice_uuids', (join) =>
        join
          .onRef('invoice_uuids.invoice_id', '=', 'invoices.id')
          .onRef('invoice_uuids.issuance_date', '=', 'invoices.issuance_date'),
      )
      // One array parameter: one prepared statement whatever the number of UUIDs.
      .where('invoice_uuids.uuid', '=', sql<string>`any(${uuids}::text[])`)
      .where('invoice_uuids.org_id', '=', orgId)
  );
}

export function selectInvoicesByIds(db: Kysely<InvoiceSchema>, ids: readonly string[]) {
  return selectInvoices(db).where('id', 'in', [...ids]);
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
    sequence: event.sequence ?? invoice.version,
    // biome-ignore lint/suspicious/noExplicitAny: `event` pairs each type with its own data
    data: event.data as any,
    traceparent: currentTraceparent(),
  });
}

/** Fiscal UUIDs are unique per organisation. */
function uuidKey(orgId: string, uuid: string): string {
  return `${orgId}\n${uuid}`;
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
