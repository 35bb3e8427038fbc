export { CatalogError, type CatalogErrorCode } from './catalog-table.js';
export {
  type Catalog,
  type CatalogEntry,
  type CfdiCatalogs,
  type FormaPagoEntry,
  type ImpuestoEntry,
  type IsoDate,
  type MonedaEntry,
  type PaisEntry,
  type PersonaApplicability,
  type RegimenFiscalEntry,
  type TasaOCuotaRule,
  type TipoDeComprobanteEntry,
  type UsoCfdiEntry,
  type Validity,
  type ValidityOnDate,
  validityOn,
} from './cfdi-catalogs.js';
export { CsvSyntaxError, parseCsv } from './csv.js';
export { parseCfdiCatalogs } from './parse-cfdi-catalogs.js';
