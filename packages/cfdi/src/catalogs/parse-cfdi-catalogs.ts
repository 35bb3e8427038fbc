import { CatalogError, type CatalogRow, readCatalogTable } from './catalog-table.js';
import {
  type Catalog,
  type CatalogEntry,
  type CfdiCatalogs,
  catalogOf,
  type TasaOCuotaRule,
  type Validity,
} from './cfdi-catalogs.js';
import { parseCsv } from './csv.js';

const validityColumns = ['valid_from', 'valid_to'];

/**
 * The catalogs from their CSV texts (see catalogs/SOURCES.md for every column), keyed by file name
 * (`c_Moneda.csv`, or `c_Moneda`). Fails with a CatalogError naming the catalog, line and column when
 * one is missing or malformed, so a bad bundle stops the process at start-up rather than a document.
 */
export function parseCfdiCatalogs(files: Readonly<Record<string, string>>): CfdiCatalogs {
  const table = (name: string, columns: readonly string[]) =>
    readCatalogTable(files, name, ['key', ...columns, ...validityColumns]);
  const simple = (name: string) => catalogOf(name, table(name, []).map(plainEntry));
  return {
    formaPago: catalogOf(
      'c_FormaPago',
      table('c_FormaPago', [
        'es_bancarizado',
        'permite_banco_ordenante_rfc',
        'permite_cuenta_ordenante',
        'patron_cuenta_ordenante',
        'permite_banco_beneficiario_rfc',
        'permite_cuenta_beneficiario',
        'patron_cuenta_beneficiario',
        'permite_tipo_cadena_pago',
      ]).map((row) => ({
        ...plainEntry(row),
        banked: row.flag('es_bancarizado'),
        allowsOrderingBankRfc: row.flag('permite_banco_ordenante_rfc'),
        allowsOrderingAccount: row.flag('permite_cuenta_ordenante'),
        orderingAccountPattern: row.optional('patron_cuenta_ordenante'),
        allowsBeneficiaryBankRfc: row.flag('permite_banco_beneficiario_rfc'),
        allowsBeneficiaryAccount: row.flag('permite_cuenta_beneficiario'),
        beneficiaryAccountPattern: row.optional('patron_cuenta_beneficiario'),
        allowsPaymentChain: row.flag('permite_tipo_cadena_pago'),
      })),
    ),
    metodoPago: simple('c_MetodoPago'),
    moneda: catalogOf(
      'c_Moneda',
      table('c_Moneda', ['decimals', 'variation_pct']).map((row) => ({
        ...plainEntry(row),
        decimals: row.integer('decimals'),
        variationPercent: Number(row.decimal('variation_pct')),
      })),
    ),
    regimenFiscal: catalogOf(
      'c_RegimenFiscal',
      table('c_RegimenFiscal', ['aplica_fisica', 'aplica_moral']).map((row) => ({
        ...plainEntry(row),
        ...personaOf(row),
      })),
    ),
    usoCfdi: catalogOf(
      'c_UsoCFDI',
      table('c_UsoCFDI', ['aplica_fisica', 'aplica_moral', 'regimenes_fiscales_receptores']).map((row) => ({
        ...plainEntry(row),
        ...personaOf(row),
        receptorRegimes: new Set(row.text('regimenes_fiscales_receptores').split('|').filter(Boolean)),
      })),
    ),
    tipoDeComprobante: catalogOf(
      'c_TipoDeComprobante',
      table('c_TipoDeComprobante', ['valor_maximo']).map((row) => ({
        ...plainEntry(row),
        maximumTotal: row.optional('valor_maximo') === null ? null : row.decimal('valor_maximo'),
      })),
    ),
    exportacion: simple('c_Exportacion'),
    objetoImp: simple('c_ObjetoImp'),
    impuesto: catalogOf(
      'c_Impuesto',
      table('c_Impuesto', ['retencion', 'traslado']).map((row) => ({
        ...plainEntry(row),
        withheld: row.flag('retencion'),
        transferred: row.flag('traslado'),
      })),
    ),
    tipoFactor: simple('c_TipoFactor'),
    tasaOCuota: parseTasaOCuota(files),
    // c_Pais carries no validity dates.
    pais: catalogOf(
      'c_Pais',
      readCatalogTable(files, 'c_Pais', ['key', 'patron_identidad_tributaria']).map((row) => ({
        key: row.text('key'),
        validFrom: null,
        validTo: null,
        taxIdPattern: row.optional('patron_identidad_tributaria'),
      })),
    ),
    periodicidad: simple('c_Periodicidad'),
    meses: simple('c_Meses'),
    tipoRelacion: simple('c_TipoRelacion'),
    claveUnidad: simple('c_ClaveUnidad'),
    claveProdServ: parseKeysWithValidity(files, 'c_ClaveProdServ'),
  };
}

function plainEntry(row: CatalogRow): CatalogEntry {
  return { key: row.text('key'), ...row.validity() };
}

function personaOf(row: CatalogRow) {
  return { forPersonaFisica: row.flag('aplica_fisica'), forPersonaMoral: row.flag('aplica_moral') };
}

function parseTasaOCuota(files: Readonly<Record<string, string>>): TasaOCuotaRule[] {
  const columns = ['tipo', 'minimo', 'valor', 'impuesto', 'factor', 'traslado', 'retencion'];
  return readCatalogTable(files, 'c_TasaOCuota', [...columns, ...validityColumns]).map((row, index) => {
    const tipo = row.text('tipo');
    if (tipo !== 'Fijo' && tipo !== 'Rango')
      throw new CatalogError('catalog_malformed', `catalog c_TasaOCuota, line ${index + 2}: tipo ${tipo}`);
    return {
      kind: tipo === 'Fijo' ? 'fixed' : 'range',
      minimum: tipo === 'Rango' ? row.decimal('minimo') : null,
      value: row.decimal('valor'),
      impuesto: row.text('impuesto'),
      factor: row.text('factor'),
      transferred: row.flag('traslado'),
      withheld: row.flag('retencion'),
      ...row.validity(),
    };
  });
}

/**
 * A catalog of keys and validity only, for the large ones (c_ClaveProdServ: about 52,000 rows). The
 * rows are read straight from the CSV records, and rows with the same validity share one object, so
 * what stays in memory is the key set and a handful of date pairs.
 */
function parseKeysWithValidity(files: Readonly<Record<string, string>>, name: string): Catalog {
  const text = files[`${name}.csv`] ?? files[name];
  if (text === undefined) throw new CatalogError('catalog_missing', `catalog ${name} is missing`);
  const [header, ...records] = parseCsv(text);
  const keyAt = header?.indexOf('key') ?? -1;
  const fromAt = header?.indexOf('valid_from') ?? -1;
  const toAt = header?.indexOf('valid_to') ?? -1;
  if (keyAt === -1 || fromAt === -1 || toAt === -1)
    throw new CatalogError(
      'catalog_malformed',
      `catalog ${name} needs the columns key, valid_from, valid_to`,
    );
  const shared = new Map<string, Validity>();
  const byKey = new Map<string, Validity>();
  let previous: { from: string; to: string; validity: Validity } | undefined;
  records.forEach((fields, index) => {
    const key = fields[keyAt] ?? '';
    const from = fields[fromAt] ?? '';
    const to = fields[toAt] ?? '';
    // Neighbouring rows nearly always share their dates: reuse the last pair before looking it up.
    if (previous?.from !== from || previous.to !== to) {
      if (key === '' || !isDateOrEmpty(from) || !isDateOrEmpty(to))
        throw new CatalogError('catalog_malformed', `catalog ${name}, line ${index + 2}: dates malformed`);
      const pair = `${from}|${to}`;
      let validity = shared.get(pair);
      if (!validity) {
        validity = { validFrom: from === '' ? null : from, validTo: to === '' ? null : to };
        shared.set(pair, validity);
      }
      previous = { from, to, validity };
    }
    if (key === '') throw new CatalogError('catalog_malformed', `catalog ${name}, line ${index + 2}: no key`);
    byKey.set(key, previous.validity);
  });
  return {
    name,
    size: byKey.size,
    get: (key) => {
      const validity = byKey.get(key);
      return validity && { key, ...validity };
    },
  };
}

function isDateOrEmpty(value: string): boolean {
  return value === '' || /^\d{4}-\d{2}-\d{2}$/.test(value);
}
