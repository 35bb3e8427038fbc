import type { CfdiProblem } from '../problems.js';
import { attributePath, type XmlElement } from '../xml-document.js';
import { DecimalNumber } from './decimal-number.js';
import type { RuleCode } from './rule-codes.js';
import { problem } from './rule-context.js';

/** A number as the document wrote it: its value and how many decimals it was written with. */
export interface WrittenNumber {
  readonly value: DecimalNumber;
  /** Written decimals, trailing zeros included: SAT counts them ("1.000" has 3). */
  readonly decimals: number;
  readonly text: string;
}

export const zero = DecimalNumber.zero;

/** A text read as a number, and whether it is a t_Importe. */
interface Reading {
  number: WrittenNumber | undefined;
  importe: boolean;
}

// The rules read each amount several times (a Concepto's Importe by half a dozen of them) and the
// same texts recur from document to document, so readings are kept: a few thousand short texts at
// most (an amount has at most 25 characters), whatever documents come.
const readings = new Map<string, Reading>();
const readingsKept = 4_096;
const longestKept = 40;

function readingOf(text: string): Reading {
  let reading = readings.get(text);
  if (!reading) {
    reading = read(text);
    if (text.length > longestKept) return reading;
    if (readings.size >= readingsKept) readings.clear();
    readings.set(text, reading);
  }
  return reading;
}

/**
 * What a text says as a number, in one pass over it: a plain decimal (digits, then optionally a point
 * and digits) or nothing; a t_Importe when it also has at most 18 digits before the point and 6 after
 * (cfdv40.xsd's pattern, which amounts.test.ts holds this to).
 */
function read(text: string): Reading {
  let point = -1;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code >= zeroDigit && code <= nineDigit) continue;
    if (code !== decimalPoint || point !== -1 || index === 0 || index === text.length - 1) return notANumber;
    point = index;
  }
  if (text.length === 0) return notANumber;
  const whole = point === -1 ? text.length : point;
  const decimals = point === -1 ? 0 : text.length - point - 1;
  return {
    number: { value: DecimalNumber.parse(text), decimals, text },
    importe: whole <= 18 && decimals <= 6,
  };
}

const notANumber: Reading = { number: undefined, importe: false };
const zeroDigit = 0x30;
const nineDigit = 0x39;
const decimalPoint = 0x2e;

/**
 * An amount typed t_Importe (up to 18 digits and 6 decimals, not negative); undefined when absent or
 * malformed, which the structure check reports. Rules skip what they cannot read.
 */
export function readImporte(element: XmlElement | undefined, name: string): WrittenNumber | undefined {
  const text = element?.attributes.get(name);
  if (text === undefined) return undefined;
  const reading = readingOf(text);
  return reading.importe ? reading.number : undefined;
}

/** Any plain non-negative decimal (Cantidad, TipoCambio, TasaOCuota, EquivalenciaDR, ...). */
export function readDecimal(element: XmlElement | undefined, name: string): WrittenNumber | undefined {
  const text = element?.attributes.get(name);
  return text === undefined ? undefined : readingOf(text).number;
}

export function written(text: string): WrittenNumber {
  const point = text.indexOf('.');
  return { value: DecimalNumber.parse(text), decimals: point === -1 ? 0 : text.length - point - 1, text };
}

/** Half-up to `decimals`, as SAT rounds sums ("redondeo"). */
export function roundTo(value: DecimalNumber, decimals: number): DecimalNumber {
  return value.toDecimalPlaces(decimals, 'half-up');
}

export function show(value: DecimalNumber, decimals: number): string {
  return value.toFixed(decimals, 'half-up');
}

export function sumOf(values: readonly DecimalNumber[]): DecimalNumber {
  return values.reduce((sum, value) => sum.plus(value), zero);
}

export interface Limits {
  readonly lower: DecimalNumber;
  readonly upper: DecimalNumber;
}

// Anexo 20 computes the upper limit with 10^-12 taken off each half unit, so a product that lands
// exactly on the next unit does not widen the range.
const epsilon = new DecimalNumber(1n, 12);

/** ½ × 10^-decimals: 0.5, 0.05, 0.005, ... */
function halfUnit(decimals: number): DecimalNumber {
  return halfUnits[decimals] ?? new DecimalNumber(5n, decimals + 1);
}

// Amounts have at most 6 decimals, quantities and rates a few more: their half units are made once.
const halfUnits = Array.from({ length: 25 }, (_, decimals) => new DecimalNumber(5n, decimals + 1));

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
    lower: a.value.minus(halfA).times(b.value.minus(halfB)).toDecimalPlaces(decimals, 'down'),
    upper: a.value
      .plus(halfA)
      .minus(epsilon)
      .times(b.value.plus(halfB).minus(epsilon))
      .toDecimalPlaces(decimals, 'ceil'),
  };
}

/**
 * Anexo 20's range for a tax amount: the Base may have been rounded by half a unit of its last
 * written decimal; the rate is exact. (Base − ½u) × rate truncated, (Base + ½u − 10⁻¹²) × rate rounded
 * up, to the currency's decimals.
 */
export function taxLimits(base: WrittenNumber, rate: DecimalNumber, decimals: number): Limits {
  const half = halfUnit(base.decimals);
  return {
    lower: base.value.minus(half).times(rate).toDecimalPlaces(decimals, 'down'),
    upper: base.value.plus(half).minus(epsilon).times(rate).toDecimalPlaces(decimals, 'ceil'),
  };
}

export function isWithin(value: DecimalNumber, limits: Limits): boolean {
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
export function readImporteOrZero(element: XmlElement | undefined, name: string): DecimalNumber | undefined {
  if (!element?.attributes.has(name)) return zero;
  return readImporte(element, name)?.value;
}

/** Every value, or undefined if any is missing: a sum over a malformed term is skipped, not guessed. */
export function allOrNothing<T>(values: readonly (T | undefined)[]): T[] | undefined {
  return values.every((value) => value !== undefined) ? (values as T[]) : undefined;
}
