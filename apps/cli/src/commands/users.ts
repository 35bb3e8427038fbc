import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { type AuthAdministration, authConfig, openAuthAdministration } from '@fiscal/auth';
import { parseConfig } from '@fiscal/kit/config';
import { AppError } from '@fiscal/kit/errors';
import { openAuthDatabase } from './keys.js';

const usage =
  'fiscal users create --org <org id> --email <email> --role admin|analyst|viewer [--password-stdin] [--platform-admin]';

/**
 * `fiscal users create`: a user straight on the auth database (embedded: the PGlite under
 * FISCAL_DATA_DIR, with `fiscal start` stopped; distributed: FISCAL_DATABASE_URL). The password is
 * read from stdin, or generated and printed once; it is never echoed back.
 */
export async function runUsers(args: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      org: { type: 'string' },
      email: { type: 'string' },
      role: { type: 'string' },
      'password-stdin': { type: 'boolean', default: false },
      'platform-admin': { type: 'boolean', default: false },
    },
  });
  if (positionals[0] !== 'create' || !values.org || !values.email || !values.role) {
    console.error(usage);
    return 2;
  }
  const generated = !values['password-stdin'];
  const password = generated ? randomBytes(18).toString('base64url') : await readStdin();
  const settings = parseConfig(authConfig);
  const auth = await openAuthDatabase();
  try {
    const administration: AuthAdministration = await openAuthAdministration(auth.database, settings);
    const user = await administration.createUser({
      orgId: values.org,
      email: values.email,
      password,
      role: values.role,
      platformAdmin: values['platform-admin'],
    });
    console.log(JSON.stringify(user));
    if (generated) console.log(`password: ${password}`);
    return 0;
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    const fields = error.errors.map((problem) => `\n  ${problem.field}: ${problem.message}`).join('');
    console.error(`fiscal users: ${error.message}${fields}`);
    return 1;
  } finally {
    await auth.close();
  }
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  // One trailing newline is how `echo` and here-strings end; it is not part of the password.
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}
