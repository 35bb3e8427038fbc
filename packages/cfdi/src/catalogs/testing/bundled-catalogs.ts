import { readdirSync, readFileSync } from 'node:fs';
import type { CfdiCatalogs } from '../cfdi-catalogs.js';
import { parseCfdiCatalogs } from '../parse-cfdi-catalogs.js';

// packages/cfdi/catalogs, found from this file so tests run in any clone.
const catalogsDirectory = new URL('../../../catalogs/', import.meta.url);

/** The bundled CSV texts by file name. */
export function bundledCatalogFiles(): Record<string, string> {
  const names = readdirSync(catalogsDirectory).filter((name) => name.endsWith('.csv'));
  return Object.fromEntries(
    names.map((name) => [name, readFileSync(new URL(name, catalogsDirectory), 'utf8')]),
  );
}

let parsed: CfdiCatalogs | undefined;

/** The bundled catalogs, parsed once per test file. */
export function bundledCatalogs(): CfdiCatalogs {
  parsed ??= parseCfdiCatalogs(bundledCatalogFiles());
  return parsed;
}
