import { AttributeFormats, type FechaH, parseFechaH } from '../attribute-formats.js';
import type { Catalog, CatalogEntry, CfdiCatalogs, IsoDate } from '../catalogs/cfdi-catalogs.js';
import { validityOn } from '../catalogs/cfdi-catalogs.js';
import { Namespaces } from '../namespaces.js';
import { type CfdiProblem, quoted } from '../problems.js';
import { attributePath, childElements, type XmlElement } from '../xml-document.js';
import { type RuleCode, RuleCodes } from './rule-codes.js';

/** What the rules need besides the document. */
export interface SatRuleOptions {
  catalogs: CfdiCatalogs;
  /** The moment of validation; a Fecha after it is in the future. */
  now: Date;
}

/** The document and what every rule reads of it, worked out once. */
export interface RuleContext extends SatRuleOptions {
  readonly comprobante: XmlElement;
  /** The Fecha, when it is a real t_FechaH. */
  readonly fecha: FechaH | undefined;
  /** The Fecha's day; undefined when the Fecha is unreadable. */
  readonly issuedOn: IsoDate | undefined;
  /**
   * The day catalog keys must be valid on: the Fecha's, or 2022-01-01 for a Fecha before CFDI 4.0 took
   * effect (reported once, as fecha_before_cfdi40, rather than once per key).
   */
  readonly catalogDay: IsoDate | undefined;
  readonly tipoDeComprobante: string | undefined;
  /** Decimals of the Moneda from c_Moneda; undefined when the Moneda is not in it. */
  readonly currencyDecimals: number | undefined;
}

export type Rule = (context: RuleContext) => CfdiProblem[];

export function ruleContextFor(comprobante: XmlElement, options: SatRuleOptions): RuleContext {
  const fecha = parseFechaH(comprobante.attributes.get('Fecha') ?? '');
  const moneda = comprobante.attributes.get('Moneda');
  const issuedOn = fecha && `${fecha.year}-${pad(fecha.month)}-${pad(fecha.day)}`;
  return {
    catalogs: options.catalogs,
    now: options.now,
    comprobante,
    fecha,
    issuedOn,
    catalogDay: issuedOn !== undefined && issuedOn < cfdi40InForce ? cfdi40InForce : issuedOn,
    tipoDeComprobante: comprobante.attributes.get('TipoDeComprobante'),
    currencyDecimals: moneda === undefined ? undefined : options.catalogs.moneda.get(moneda)?.decimals,
  };
}

/** The day Anexo 20 version 4.0 took effect. */
export const cfdi40InForce: IsoDate = '2022-01-01';

function pad(value: number): string {
  return String(value).padStart(2, '0');
}

export function problem(code: RuleCode, path: string, message: string): CfdiProblem {
  return { code, path, message };
}

/** The first child of that name in the CFDI 4.0 namespace. */
export function cfdiChild(parent: XmlElement | undefined, localName: string): XmlElement | undefined {
  return parent ? childElements(parent, Namespaces.cfdi40, localName)[0] : undefined;
}

export function cfdiChildren(parent: XmlElement | undefined, localName: string): readonly XmlElement[] {
  return parent ? childElements(parent, Namespaces.cfdi40, localName) : noElements;
}

// What rules get for the children of an element that is not there: one array, not a new one each time.
const noElements: readonly XmlElement[] = Object.freeze([]);

/** Children of children: `cfdiGrandchildren(impuestos, 'Traslados', 'Traslado')`. */
export function cfdiGrandchildren(
  parent: XmlElement | undefined,
  middle: string,
  localName: string,
): readonly XmlElement[] {
  const groups = cfdiChildren(parent, middle);
  // Nearly always none or one group (one Traslados in an Impuestos): its children as they are, without a copy.
  if (groups.length <= 1) return groups.length === 0 ? noElements : cfdiChildren(groups[0], localName);
  return groups.flatMap((group) => cfdiChildren(group, localName));
}

export function conceptosOf(comprobante: XmlElement): readonly XmlElement[] {
  return cfdiChildren(cfdiChild(comprobante, 'Conceptos'), 'Concepto');
}

export function complementsOf(comprobante: XmlElement): readonly XmlElement[] {
  const complementos = cfdiChildren(comprobante, 'Complemento');
  // Nearly always one Complemento: its children as they are, without a copy.
  if (complementos.length === 1) return complementos[0]!.children;
  return complementos.flatMap((complemento) => complemento.children);
}

/** A value present and not empty; empty required values are the structure check's to report. */
export function attributeValue(element: XmlElement | undefined, name: string): string | undefined {
  const value = element?.attributes.get(name);
  return value === undefined || value === '' ? undefined : value;
}

export type Persona = 'fisica' | 'moral';

/** A well-formed RFC's kind: 12 characters for a company (moral), 13 for a person (física). */
export function personaOf(rfc: string | undefined): Persona | undefined {
  if (rfc === undefined || !AttributeFormats.rfc.matches(rfc)) return undefined;
  return rfc.length === 12 ? 'moral' : 'fisica';
}

export const genericRfcs = { national: 'XAXX010101000', foreign: 'XEXX010101000' } as const;

export function isGenericRfc(rfc: string | undefined): boolean {
  return rfc === genericRfcs.national || rfc === genericRfcs.foreign;
}

export interface CatalogCheck<Entry> {
  problems: CfdiProblem[];
  /** The entry when the key is in the catalog (valid on the Fecha or not), for rules that read it. */
  entry: Entry | undefined;
}

/**
 * The attribute's value against a catalog: `unknownCode` when the key is not in it, and
 * catalog_value_expired when it is but not on the Fecha's day (not yet, or no longer).
 */
export function checkCatalogValue<Entry extends CatalogEntry>(
  context: RuleContext,
  element: XmlElement,
  attribute: string,
  catalog: Catalog<Entry>,
  unknownCode: RuleCode = RuleCodes.catalogValueUnknown,
): CatalogCheck<Entry> {
  const value = attributeValue(element, attribute);
  if (value === undefined) return { problems: [], entry: undefined };
  const entry = catalog.get(value);
  if (!entry)
    return {
      problems: [
        problem(
          unknownCode,
          attributePath(element, attribute),
          `${attribute} ${quoted(value)} is not in ${catalog.name}`,
        ),
      ],
      entry: undefined,
    };
  // Nearly every key is valid on the day: its message is only written when it is not.
  if (context.catalogDay === undefined || validityOn(entry, context.catalogDay) === 'valid')
    return { problems: [], entry };
  const expired = expiredMessage(context, entry, `${attribute} ${quoted(value)} of ${catalog.name}`);
  return {
    problems: expired
      ? [problem(RuleCodes.catalogValueExpired, attributePath(element, attribute), expired)]
      : [],
    entry,
  };
}

/** Why an entry is not valid on the catalog day, or undefined when it is (or the Fecha is unreadable). */
export function expiredMessage(
  { catalogDay }: RuleContext,
  entry: { validFrom: IsoDate | null; validTo: IsoDate | null },
  subject: string,
): string | undefined {
  if (catalogDay === undefined) return undefined;
  const validity = validityOn(entry, catalogDay);
  if (validity === 'valid') return undefined;
  const when = validity === 'expired' ? `only until ${entry.validTo}` : `only from ${entry.validFrom}`;
  return `${subject} is valid ${when}, not on ${catalogDay}`;
}
