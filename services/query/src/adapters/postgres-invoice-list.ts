import { type Kysely, sql } from 'kysely';
import type { InvoiceListQuery, InvoicePage } from '../domain/invoice-summary/index.js';
import type { QuerySchema } from './query-schema.js';
import { listItemOf, selectListItems } from './summary-rows.js';

/**
 * One page of an organisation's invoices, newest id first. Free text matches the words of issuer,
 * receiver and uuid (full text), or any fragment of them (ILIKE, served by the trigram indexes), so
 * a partial RFC or the first block of a UUID finds its invoices. Rows leave out the problems.
 */
export async function listInvoices(db: Kysely<QuerySchema>, query: InvoiceListQuery): Promise<InvoicePage> {
  let select = selectListItems(db).where('org_id', '=', query.orgId);
  if (query.status !== undefined) select = select.where('status', '=', query.status);
  if (query.issuer !== undefined) select = select.where('issuer', '=', query.issuer.toUpperCase());
  if (query.receiver !== undefined) select = select.where('receiver', '=', query.receiver.toUpperCase());
  if (query.issuedFrom !== undefined) select = select.where('issuance_date', '>=', query.issuedFrom);
  if (query.issuedTo !== undefined) select = select.where('issuance_date', '<=', query.issuedTo);
  if (query.after !== undefined) select = select.where('id', '<', query.after);
  const text = query.text?.trim();
  if (text) {
    const fragment = `%${escapeLike(text)}%`;
    select = select.where('id', 'in', (eb) =>
      eb
        .selectFrom('invoice_search')
        .select('invoice_search.id')
        .where('invoice_search.org_id', '=', query.orgId)
        .where((match) =>
          match.or([
            match(sql`search`, '@@', sql`plainto_tsquery('simple', ${text})`),
            match('invoice_search.issuer', 'ilike', fragment),
            match('invoice_search.receiver', 'ilike', fragment),
            match('invoice_search.uuid', 'ilike', fragment),
          ]),
        ),
    );
  }
  // One row more than asked tells whether another page follows without counting.
  const rows = await select
    .orderBy('id', 'desc')
    .limit(query.limit + 1)
    .execute();
  const items = rows.slice(0, query.limit).map(listItemOf);
  return { items, lastId: rows.length > query.limit ? items.at(-1)?.id : undefined };
}

/** `%`, `_` and the escape character itself match literally. */
function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (character) => `\\${character}`);
}
