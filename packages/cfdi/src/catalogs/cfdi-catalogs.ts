/** A calendar day written `YYYY-MM-DD`, as the catalogs and the date part of a CFDI Fecha are. */
export type IsoDate = string;

/** When SAT accepts a key: both ends inclusive; null is an open end. */
export interface Validity {
  readonly validFrom: IsoDate | null;
  readonly validTo: IsoDate | null;
}

export interface CatalogEntry extends Validity {
  readonly key: string;
}

/** One SAT catalog, looked up by key. */
export interface Catalog<Entry extends CatalogEntry = CatalogEntry> {
  /** SAT's name for it, such as `c_Moneda`; problem messages quote it. */
  readonly name: string;
  readonly size: number;
  get(key: string): Entry | undefined;
}

export interface FormaPagoEntry extends CatalogEntry {
  /** Paid through a bank ("bancarizado"): the Pagos account attributes depend on it. */
  readonly banked: boolean;
  readonly allowsOrderingBankRfc: boolean;
  readonly allowsOrderingAccount: boolean;
  /** SAT's regular expression for CtaOrdenante, unanchored as published; null when there is none. */
  readonly orderingAccountPattern: string | null;
  readonly allowsBeneficiaryBankRfc: boolean;
  readonly allowsBeneficiaryAccount: boolean;
  readonly beneficiaryAccountPattern: string | null;
  /** Whether TipoCadPago (a SPEI payment chain) may be given: only transfers. */
  readonly allowsPaymentChain: boolean;
}

export interface MonedaEntry extends CatalogEntry {
  /** How many decimals amounts in this currency have (MXN 2, JPY 0, BHD 3, CLF 4, XXX 0). */
  readonly decimals: number;
  /** How far TipoCambio may stray from the day's published rate without a Confirmacion, in percent. */
  readonly variationPercent: number;
}

/** Whether a key applies to a persona física (13-character RFC) or moral (12-character RFC). */
export interface PersonaApplicability {
  readonly forPersonaFisica: boolean;
  readonly forPersonaMoral: boolean;
}

export interface RegimenFiscalEntry extends CatalogEntry, PersonaApplicability {}

export interface UsoCfdiEntry extends CatalogEntry, PersonaApplicability {
  /** The RegimenFiscalReceptor values this use is allowed with. */
  readonly receptorRegimes: ReadonlySet<string>;
}

export interface TipoDeComprobanteEntry extends CatalogEntry {
  /** The largest Total accepted without a Confirmacion, as a decimal; null when SAT gives none. */
  readonly maximumTotal: string | null;
}

export interface ImpuestoEntry extends CatalogEntry {
  readonly withheld: boolean;
  readonly transferred: boolean;
}

export interface PaisEntry extends CatalogEntry {
  /** SAT's regular expression for a tax id (NumRegIdTrib) of this country, unanchored; null when none. */
  readonly taxIdPattern: string | null;
}

/**
 * One line of c_TasaOCuota. It is a list of rules, not a keyed list: a fixed rate, or a range whose
 * `value` is the maximum, for one tax and TipoFactor, for transfers, withholdings or both.
 */
export interface TasaOCuotaRule extends Validity {
  readonly kind: 'fixed' | 'range';
  /** The range's minimum (decimal text); null for a fixed rate. */
  readonly minimum: string | null;
  /** The fixed rate, or the range's maximum (decimal text). */
  readonly value: string;
  /** c_Impuesto key: 001 ISR, 002 IVA, 003 IEPS. */
  readonly impuesto: string;
  /** c_TipoFactor key: Tasa or Cuota. */
  readonly factor: string;
  readonly transferred: boolean;
  readonly withheld: boolean;
}

/**
 * The SAT catalogs CFDI 4.0 rules read, parsed once per process. c_ClaveProdServ keeps only keys and
 * validity; c_CodigoPostal is not bundled (see catalogs/SOURCES.md), so postal codes are not looked up.
 */
export interface CfdiCatalogs {
  readonly formaPago: Catalog<FormaPagoEntry>;
  readonly metodoPago: Catalog;
  readonly moneda: Catalog<MonedaEntry>;
  readonly regimenFiscal: Catalog<RegimenFiscalEntry>;
  readonly usoCfdi: Catalog<UsoCfdiEntry>;
  readonly tipoDeComprobante: Catalog<TipoDeComprobanteEntry>;
  readonly exportacion: Catalog;
  readonly objetoImp: Catalog;
  readonly impuesto: Catalog<ImpuestoEntry>;
  readonly tipoFactor: Catalog;
  readonly tasaOCuota: readonly TasaOCuotaRule[];
  readonly pais: Catalog<PaisEntry>;
  readonly periodicidad: Catalog;
  readonly meses: Catalog;
  readonly tipoRelacion: Catalog;
  readonly claveUnidad: Catalog;
  readonly claveProdServ: Catalog;
}

export type ValidityOnDate = 'valid' | 'not_yet_valid' | 'expired';

export function validityOn(entry: Validity, date: IsoDate): ValidityOnDate {
  if (entry.validFrom !== null && date < entry.validFrom) return 'not_yet_valid';
  if (entry.validTo !== null && date > entry.validTo) return 'expired';
  return 'valid';
}

/** A catalog over entries already built. */
export function catalogOf<Entry extends CatalogEntry>(
  name: string,
  entries: Iterable<Entry>,
): Catalog<Entry> {
  const byKey = new Map<string, Entry>();
  for (const entry of entries) byKey.set(entry.key, entry);
  return { name, size: byKey.size, get: (key) => byKey.get(key) };
}
