import { checkPassword, isEmail, normalizeEmail } from '../domain/index.js';
import { type AuthContext, newId, randomSecret } from './auth-context.js';
import { addCheckedUser } from './manage-users.js';

export interface BootstrapOptions {
  /** FISCAL_BOOTSTRAP_ADMIN_EMAIL; default `admin@localhost`. */
  email?: string | undefined;
  /** FISCAL_BOOTSTRAP_ADMIN_PASSWORD; unset: a random one, shown once. */
  password?: string | undefined;
  /** Keeps a generated password (in the data directory) and answers where; absent (in memory): kept nowhere. */
  keepPassword?: ((password: string) => Promise<string>) | undefined;
  /** Where a generated password is shown: stdout, never the log. */
  announce: (text: string) => void;
}

/**
 * First start with no users: an enterprise organisation and a platform administrator, so a
 * newcomer can log in at once. Replicas starting together serialise on a lock and re-check, so
 * exactly one creates the administrator. Returns the created user's id, or undefined.
 */
export async function bootstrapAdmin(
  context: AuthContext,
  options: BootstrapOptions,
): Promise<string | undefined> {
  const { store } = context;
  if ((await store.identities.countUsers()) > 0) return undefined;
  const email = normalizeEmail(options.email || 'admin@localhost');
  if (!isEmail(email)) throw new Error('FISCAL_BOOTSTRAP_ADMIN_EMAIL is not an email address');
  const passwordProblem = options.password ? checkPassword(options.password) : undefined;
  if (passwordProblem) throw new Error(`FISCAL_BOOTSTRAP_ADMIN_PASSWORD ${passwordProblem.message}`);
  const password = options.password || randomSecret().slice(0, 24);
  const passwordHash = await context.passwords.hash(password);

  const user = await store.transaction(async (unit) => {
    await unit.identities.lockBootstrap();
    if ((await unit.identities.countUsers()) > 0) return undefined;
    const organization = await unit.identities.addOrganization({
      id: newId('org'),
      name: 'Default',
      tier: 'enterprise',
    });
    return addCheckedUser(unit, {
      orgId: organization.id,
      email,
      role: 'admin',
      passwordHash,
      platformAdmin: true,
    });
  });
  if (!user || options.password) return user?.id;

  const where = options.keepPassword ? ` (also in ${await options.keepPassword(password)})` : '';
  options.announce(`Fiscal administrator created: ${email} / password ${password}${where}\n`);
  return user.id;
}
