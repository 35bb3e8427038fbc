import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type CfdiCatalogs, parseCfdiCatalogs } from '../catalogs/index.js';

/**
 * packages/cfdi/catalogs, found from this module: `src/adapters` under Vitest and `dist/adapters`
 * after a build are both two levels below the package.
 */
export const bundledCatalogsDirectory = fileURLToPath(new URL('../../catalogs/', import.meta.url));

/**
 * The SAT catalogs from every `*.csv` in `directory`. Fails with a CatalogError when one the rules need
 * is missing or malformed, so a broken bundle stops the process at start-up. Parsing the bundled set
 * (c_ClaveProdServ is about 3 MB, 52,000 keys) takes a few tens of milliseconds; do it once per process.
 */
export async function loadCfdiCatalogs(directory: string = bundledCatalogsDirectory): Promise<CfdiCatalogs> {
  const names = (await readdir(directory)).filter((name) => name.endsWith('.csv'));
  const texts = await Promise.all(names.map((name) => readFile(join(directory, name), 'utf8')));
  return parseCfdiCatalogs(Object.fromEntries(names.map((name, index) => [name, texts[index] ?? ''])));
}
