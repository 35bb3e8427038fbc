import type { Database } from '@fiscal/kit/db';
import { sql } from 'kysely';
import type { QuerySchema } from './query-schema.js';

/** Empties the read model and forgets which events the projector `group` has handled. */
export async function resetReadModel(database: Database<QuerySchema>, group: string): Promise<void> {
  await database.transaction(async (trx) => {
    await sql`truncate invoice_summaries, invoice_search, invoice_timeline`.execute(trx);
    await trx.deleteFrom('inbox').where('consumer_group', '=', group).execute();
  });
}
