import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sql } from 'kysely';
import { countUsers, insertOrganization } from '../adapters/postgres-identities.js';
import { checkPassword, isEmail, normalizeEmail } from '../domain/index.js';
import { type AuthContext, newId, randomSecret } from './auth-context.js';
import { insertCheckedUser } from './manage-users.js';

export interface BootstrapOptions {
  /** FISCAL_BOOTSTRAP_ADMIN_EMAIL; default `admin@localhost`. */
  email?: string | undefined;
  /** FISCAL_BOOTSTRAP_ADMIN_PASSWORD; unset: a random one, shown once. */
  password?: string | undefined;
  /** Where `initial-admin-password` is written; undefined (in memory): no file. */
  dataDir?: string | undefined;
  /** Where a generated password is shown: stdout, never the log. */
  announce: (text: string) => void;
}

export const initialPasswordFile = 'initial-admin-password';

/**
 * First start with no users: an enterprise organisation and a platform administrator, so a
 * newcomer can log in at once. Replicas starting together serialise on a lock and re-check, so
 * exactly one creates the administrator. Returns the created user's id, or undefined.
 */
export async function bootstrapAdmin(
  context: AuthContext,
  options: BootstrapOptions,
): Promise<string | undefined> {
  const { database } = context;
  if ((await countUsers(database.db)) > 0) return undefined;
  const email = normalizeEmail(options.email || 'admin@localhost');
  if (!isEmail(email)) throw new Error('FISCAL_BOOTSTRAP_ADMIN_EMAIL is not an email address');
  const passwordProblem = options.password ? checkPassword(options.password) : undefined;
  if (passwordProblem) throw new Error(`FISCAL_BOOTSTRAP_ADMIN_PASSWORD ${passwordProblem.message}`);
  const password = options.password || randomSecret().slice(0, 24);
  const passwordHash = await context.passwords.hash(password);

  const user = await database.transaction(async (trx) => {
    await sql`select pg_advisory_xact_lock(hashtext('fiscal-auth:bootstrap'))`.execute(trx);
    if ((await countUsers(trx)) > 0) return undefined;
    const organization = await insertOrganization(trx, {
      id: newId('org'),
      name: 'Default',
      tier: 'enterprise',
    });
    return insertCheckedUser(trx, {
      orgId: organization.id,
      email,
      role: 'admin',
      passwordHash,
      platformAdmin: true,
    });
  });
  if (!user || options.password) return user?.id;

  let where = '';
  if (options.dataDir) {
    await mkdir(options.dataDir, { recursive: true });
    const file = join(options.dataDir, initialPasswordFile);
    await writeFile(file, `${password}\n`, { mode: 0o600 });
    // `mode` applies only when the file is created; a leftover file must not stay readable.
    await chmod(file, 0o600);
    where = ` (also in ${file})`;
  }
  options.announce(`Fiscal administrator created: ${email} / password ${password}${where}\n`);
  return user.id;
}
