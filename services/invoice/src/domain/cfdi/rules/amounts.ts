import { Decimal } from 'decimal.js';
import { AttributeFormats } from '../attribute-formats.js';
import type { CfdiProblem } from '../problems.js';
import { attributePath, type XmlElement } from '../xml-document.js';
import type { RuleCode } from './rule-codes.js';
import { problem } from './rule-context.js';

/** A number as the document wrote it: its value and how many decimals it was written with. */
export interface WrittenNumber {
  readonly value: Decimal;
  /** Written decimals, trailing zeros included: SAT counts them ("1.000" has 3). */
  readonly decimals: number;
  readonly text: string;
}

export const zero = new Decimal(0);
const plainDecimal = /^[0-9]+(\.[0-9]+)?$/;

/**
 * An amount typed t_Importe (up to 18 digits and 6 decimals, not negative); undefined when absent or
 * malformed, which the structure check reports. Rules skip what they cannot read.
 */
export function readImporte(element: XmlElement | undefined, name: string): WrittenNumber | undefined {
  const text = element?.attributes.get(name);
  return text !== undefined && AttributeFormats.importe.matches(text) ? written(text) : undefined;
}

/** Any plain non-negative decimal (Cantidad, TipoCambio, TasaOCuota, EquivalenciaDR, ...). */
export function readDecimal(element: XmlElement | undefined, name: string): WrittenNumber | undefined {
  const text = element?.attributes.get(name);
  return text !== undefined && plainDecimal.test(text) ? written(text) : undefined;
}

export function written(text: string): WrittenNumber {
  const point = text.indexOf('.');
  return { value: new Decimal(text), decimals: point === -1 ? 0 : text.length - point - 1, text };
}

/** Half-up to `decimals`, as SAT rounds sums ("redondeo"). */
export function roundTo(value: Decimal, decimals: number): Decimal {
  return value.toDecimalPlaces(decimals, Decimal.ROUND_HALF_UP);
}

export function show(value: Decimal, decimals: number): string {
  return value.toFixed(decimals, Decimal.ROUND_HALF_UP);
}

export function sumOf(values: readonly Decimal[]): Decimal {
  return values.reduce((sum, value) => sum.plus(value), zero);
}

export interface Limits {
  readonly lower: Decimal;
  readonly upper: Decimal;
}

// Anexo 20 computes the upper limit with 10^-12 taken off each half unit, so a product that lands
// exactly on the next unit does not widen the range.
const epsilon = new Decimal('1e-12');

function halfUnit(decimals: number): Decimal {
  return new Decimal(10).pow(-decimals).div(2);
}

/**
 * Anexo 20's range for a product of two written numbers (Concepto Importe = Cantidad × ValorUnitario):
 * each factor may have been rounded by half a unit of its last written decimal, so the lower limit is
 * (a − ½u)(b − ½u) truncated and the upper (a + ½u − 10⁻¹²)(b + ½u − 10⁻¹²) rounded up, both to the
 * currency's decimals.
 */
export function productLimits(a: WrittenNumber, b: WrittenNumber, decimals: number): Limits {
  const halfA = halfUnit(a.decimals);
  const halfB = halfUnit(b.decimals);
  return {
    lower: a.value.minus(halfA).times(b.value.minus(halfB)).toDecimalPlaces(decimals, Decimal.ROUND_DOWN),
    upper: a.value
      .plus(halfA)
      .minus(epsilon)
      .times(b.value.plus(halfB).minus(epsilon))
      .toDecimalPlaces(decimals, Decimal.ROUND_CEIL),
  };
}

/**
 * Anexo 20's range for a tax amount: the Base may have been rounded by half a unit of its last
 * written decimal; the rate is exact. (Base − ½u) × rate truncated, (Base + ½u − 10⁻¹²) × rate rounded
 * up, to the currency's decimals.
 */
export function taxLimits(base: WrittenNumber, rate: Decimal, decimals: number): Limits {
  const half = halfUnit(base.decimals);
  return {
    lower: base.value.minus(half).times(rate).toDecimalPlaces(decimals, Decimal.ROUND_DOWN),
    upper: base.value.plus(half).minus(epsilon).times(rate).toDecimalPlaces(decimals, Decimal.ROUND_CEIL),
  };
}

export function isWithin(value: Decimal, limits: Limits): boolean {
  return value.greaterThanOrEqualTo(limits.lower) && value.lessThanOrEqualTo(limits.upper);
}

export function describeLimits(limits: Limits): string {
  return `between ${limits.lower.toFixed()} and ${limits.upper.toFixed()}`;
}

/** "At most the currency's decimals", for any amount attribute; skipped when the currency is unknown. */
export function decimalsWithin(
  element: XmlElement | undefined,
  name: string,
  decimals: number | undefined,
  code: RuleCode,
  currency: string,
): CfdiProblem[] {
  const amount = readImporte(element, name);
  if (!element || !amount || decimals === undefined || amount.decimals <= decimals) return [];
  return [
    problem(
      code,
      attributePath(element, name),
      `${name} ${amount.text} has ${amount.decimals} decimals; ${currency} has ${decimals}`,
    ),
  ];
}

/** The Moneda as a currency name for messages. */
export function monedaOf(comprobante: XmlElement): string {
  return comprobante.attributes.get('Moneda') ?? 'the Moneda';
}

/** The attribute's amount, 0 when absent, undefined when malformed. */
export function readImporteOrZero(element: XmlElement | undefined, name: string): Decimal | undefined {
  if (!element?.attributes.has(name)) return zero;
  return readImporte(element, name)?.value;
}

/** Every value, or undefined if any is missing: a sum over a malformed term is skipped, not guessed. */
export function allOrNothing<T>(values: readonly (T | undefined)[]): T[] | undefined {
  return values.every((value) => value !== undefined) ? (values as T[]) : undefined;
}
