import { Namespaces } from '../../namespaces.js';
import { childElements, type XmlElement } from '../../xml-document.js';
import { readDecimal, roundTo, type WrittenNumber } from '../amounts.js';
import { DecimalNumber } from '../decimal-number.js';
import { attributeValue, complementsOf, type RuleContext } from '../rule-context.js';

// Every rule of the complement asks for the payments, of every document: most have none, and the
// answer for them is this one array, not a new empty one per rule.
const none: readonly XmlElement[] = Object.freeze([]);

/** The Pagos 2.0 complements of the document (one, when well formed). */
export function pagosOf(comprobante: XmlElement): readonly XmlElement[] {
  let pagos: XmlElement[] | undefined;
  for (const complement of complementsOf(comprobante)) {
    if (complement.namespace !== Namespaces.pagos20 || complement.localName !== 'Pagos') continue;
    if (pagos) pagos.push(complement);
    else pagos = [complement];
  }
  return pagos ?? none;
}

export function pagoChild(parent: XmlElement | undefined, localName: string): XmlElement | undefined {
  return parent ? childElements(parent, Namespaces.pagos20, localName)[0] : undefined;
}

export function pagoChildren(parent: XmlElement | undefined, localName: string): readonly XmlElement[] {
  return parent ? childElements(parent, Namespaces.pagos20, localName) : none;
}

export function pagoGrandchildren(parent: XmlElement | undefined, middle: string, localName: string) {
  return pagoChildren(parent, middle).flatMap((group) => pagoChildren(group, localName));
}

export function everyPago(comprobante: XmlElement): readonly XmlElement[] {
  const pagos = pagosOf(comprobante);
  // Nearly always none or one Pagos: its Pago elements as they are, without a copy.
  if (pagos.length <= 1) return pagos.length === 0 ? none : pagoChildren(pagos[0], 'Pago');
  return pagos.flatMap((group) => pagoChildren(group, 'Pago'));
}

export function doctosOf(pago: XmlElement): readonly XmlElement[] {
  return pagoChildren(pago, 'DoctoRelacionado');
}

/** Decimals of a currency from c_Moneda; undefined when it is not there. */
export function decimalsOf(context: RuleContext, currency: string | undefined): number | undefined {
  return currency === undefined ? undefined : context.catalogs.moneda.get(currency)?.decimals;
}

/** TipoCambioP: given, or 1 for MXN; undefined when missing for another currency (CRP20214) or malformed. */
export function exchangeRateOf(pago: XmlElement): DecimalNumber | undefined {
  const rate = readDecimal(pago, 'TipoCambioP');
  if (rate) return rate.value;
  return attributeValue(pago, 'MonedaP') === 'MXN' && !pago.attributes.has('TipoCambioP')
    ? DecimalNumber.one
    : undefined;
}

/**
 * EquivalenciaDR: units of the document's currency per unit of the payment's; 1 when absent, and 1
 * when both currencies are the same (another value there is CRP20238's to report, not to convert by).
 */
export function equivalenceOf(docto: XmlElement, pago: XmlElement): DecimalNumber | undefined {
  const same = docto.attributes.get('MonedaDR') === pago.attributes.get('MonedaP');
  if (same || !docto.attributes.has('EquivalenciaDR')) return DecimalNumber.one;
  const equivalence = readDecimal(docto, 'EquivalenciaDR');
  return equivalence && !equivalence.value.isZero() ? equivalence.value : undefined;
}

/**
 * Whether a declared amount is the exact sum, rounded to the precision it was written with, but no
 * coarser than the currency's decimals. Amounts converted with EquivalenciaDR have endless decimals, so
 * SAT's "equal to the sum" can only hold after some rounding; this one trusts the writer's precision.
 */
export function isRoundedSum(declared: WrittenNumber, sum: DecimalNumber, currencyDecimals: number): boolean {
  return declared.value.equals(roundTo(sum, Math.max(declared.decimals, currencyDecimals)));
}
