import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export const initialPasswordFile = 'initial-admin-password';

/**
 * Keeps a generated administrator password in `<dataDir>/initial-admin-password`, readable by its
 * owner only, and answers where.
 */
export function initialPasswordWriter(dataDir: string) {
  return async function keepInitialPassword(password: string): Promise<string> {
    await mkdir(dataDir, { recursive: true });
    const file = join(dataDir, initialPasswordFile);
    await writeFile(file, `${password}\n`, { mode: 0o600 });
    // `mode` applies only when the file is created; a leftover file must not stay readable.
    await chmod(file, 0o600);
    return file;
  };
}
