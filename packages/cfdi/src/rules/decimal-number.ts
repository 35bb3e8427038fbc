/** How a result is rounded to the decimals asked for: toward zero, toward +∞, or half away from zero. */
export type Rounding = 'down' | 'ceil' | 'half-up';

/** What decimal.js rounds the result of an operation to by default, and how. */
const significantDigits = 20;

const powersOfTen: bigint[] = [1n];
function tenToThe(exponent: number): bigint {
  for (let next = powersOfTen.length; next <= exponent; next++)
    powersOfTen.push(powersOfTen[next - 1]! * 10n);
  return powersOfTen[exponent]!;
}
const precisionLimit = tenToThe(significantDigits);

const minusSign = 0x2d;
const decimalPoint = 0x2e;
const zeroDigit = 0x30;
const nineDigit = 0x39;
// Numbers below 2^53 are exact: any 15 decimal digits are.
const maxExactDigits = 15;

/**
 * The decimal numbers of the rule matrix: `units × 10^-scale`, exact bigint units. Operations give
 * decimal.js's results under its default settings, which the rules were first written with: sums,
 * differences, products and quotients are rounded to 20 significant digits, half away from zero;
 * comparisons and rounding to decimal places are exact. The rules read a few amounts per Concepto
 * and tax line; doing this on bigints costs a fraction of decimal.js's digit arrays, and
 * decimal-number.test.ts checks the two give the same results. There is no negative zero: decimal.js
 * keeps one, but it compares equal to 0 and prints without its sign.
 */
export class DecimalNumber {
  constructor(
    readonly units: bigint,
    readonly scale: number,
  ) {}

  static readonly zero = new DecimalNumber(0n, 0);
  static readonly one = new DecimalNumber(1n, 0);

  /** A plain decimal, optionally negative: `12`, `0.160000`, `-3.5`. Throws on anything else. */
  static parse(text: string): DecimalNumber {
    // One pass over the characters; up to 15 digits are summed exactly as a number, for which
    // BigInt() costs a fraction of reading a string.
    const negative = text.charCodeAt(0) === minusSign;
    const start = negative ? 1 : 0;
    let point = -1;
    let value = 0;
    for (let index = start; index < text.length; index++) {
      const code = text.charCodeAt(index);
      if (code >= zeroDigit && code <= nineDigit) value = value * 10 + (code - zeroDigit);
      else if (code === decimalPoint && point === -1 && index > start && index < text.length - 1)
        point = index;
      else throw new SyntaxError(`not a plain decimal: ${JSON.stringify(text.slice(0, 40))}`);
    }
    const digits = text.length - start - (point === -1 ? 0 : 1);
    if (digits === 0) throw new SyntaxError(`not a plain decimal: ${JSON.stringify(text.slice(0, 40))}`);
    const units =
      digits <= maxExactDigits
        ? BigInt(value)
        : BigInt(point === -1 ? text.slice(start) : text.slice(start, point) + text.slice(point + 1));
    return new DecimalNumber(negative ? -units : units, point === -1 ? 0 : text.length - point - 1);
  }

  static of(value: DecimalNumber | string | number): DecimalNumber {
    if (value instanceof DecimalNumber) return value;
    return DecimalNumber.parse(typeof value === 'number' ? String(value) : value);
  }

  plus(other: DecimalNumber): DecimalNumber {
    const scale = Math.max(this.scale, other.scale);
    return withPrecision(unitsAt(this, scale) + unitsAt(other, scale), scale);
  }

  minus(other: DecimalNumber): DecimalNumber {
    const scale = Math.max(this.scale, other.scale);
    return withPrecision(unitsAt(this, scale) - unitsAt(other, scale), scale);
  }

  times(other: DecimalNumber): DecimalNumber {
    return withPrecision(this.units * other.units, this.scale + other.scale);
  }

  /** The quotient to 20 significant digits, half away from zero; throws on a zero divisor. */
  div(other: DecimalNumber): DecimalNumber {
    if (other.units === 0n) throw new RangeError('division by zero');
    if (this.units === 0n) return DecimalNumber.zero;
    const negative = this.units < 0n !== other.units < 0n;
    const dividend = this.units < 0n ? -this.units : this.units;
    const divisor = other.units < 0n ? -other.units : other.units;
    // Enough digits that the integer quotient has more than the 20 kept: the rest decide the rounding.
    const shift = Math.max(0, significantDigits + 2 + digitsOf(divisor) - digitsOf(dividend));
    const numerator = dividend * tenToThe(shift);
    const quotient = numerator / divisor;
    // A remainder means digits beyond the last one computed; they can only push a tie upwards.
    const sticky = numerator % divisor === 0n ? 0n : 1n;
    const magnitude = withPrecision(quotient * 10n + sticky, this.scale - other.scale + shift + 1);
    return negative ? magnitude.negated() : magnitude;
  }

  negated(): DecimalNumber {
    return this.units === 0n ? this : new DecimalNumber(-this.units, this.scale);
  }

  isZero(): boolean {
    return this.units === 0n;
  }

  isNegative(): boolean {
    return this.units < 0n;
  }

  comparedTo(other: DecimalNumber | string | number): -1 | 0 | 1 {
    const that = DecimalNumber.of(other);
    const scale = Math.max(this.scale, that.scale);
    const a = unitsAt(this, scale);
    const b = unitsAt(that, scale);
    return a < b ? -1 : a > b ? 1 : 0;
  }

  equals(other: DecimalNumber | string | number): boolean {
    return this.comparedTo(other) === 0;
  }

  lessThanOrEqualTo(other: DecimalNumber | string | number): boolean {
    return this.comparedTo(other) <= 0;
  }

  greaterThanOrEqualTo(other: DecimalNumber | string | number): boolean {
    return this.comparedTo(other) >= 0;
  }

  /** Rounded to at most `decimals` decimals, exactly (no significant-digit limit). */
  toDecimalPlaces(decimals: number, rounding: Rounding): DecimalNumber {
    if (this.scale <= decimals) return this;
    return new DecimalNumber(roundUnits(this.units, this.scale - decimals, rounding), decimals);
  }

  /**
   * In plain notation: with exactly `decimals` decimals (rounded half away from zero by default), or,
   * without `decimals`, with as many as the value needs (`1.50` prints `1.5`), as decimal.js does.
   */
  toFixed(decimals?: number, rounding: Rounding = 'half-up'): string {
    if (decimals === undefined) return withoutTrailingZeros(this);
    const rounded = this.toDecimalPlaces(decimals, rounding);
    const text = plain(rounded.scale === decimals ? rounded : rescaled(rounded, decimals));
    // A negative value that rounds to zero keeps its sign, as decimal.js writes it.
    return this.units < 0n && rounded.units === 0n ? `-${text}` : text;
  }

  toString(): string {
    return this.toFixed();
  }
}

/** The value's units at a scale at least its own. */
function unitsAt(value: DecimalNumber, scale: number): bigint {
  return scale === value.scale ? value.units : value.units * tenToThe(scale - value.scale);
}

/** The result of an operation as decimal.js keeps it: at most 20 significant digits. */
function withPrecision(units: bigint, scale: number): DecimalNumber {
  if (units < precisionLimit && units > -precisionLimit) return new DecimalNumber(units, scale);
  const excess = digitsOf(units < 0n ? -units : units) - significantDigits;
  return new DecimalNumber(roundUnits(units, excess, 'half-up'), scale - excess);
}

/** `units` with its last `digits` digits rounded away. */
function roundUnits(units: bigint, digits: number, rounding: Rounding): bigint {
  const divisor = tenToThe(digits);
  const quotient = units / divisor;
  const remainder = units % divisor;
  if (remainder === 0n) return quotient;
  if (rounding === 'down') return quotient;
  if (rounding === 'ceil') return remainder > 0n ? quotient + 1n : quotient;
  const twice = (remainder < 0n ? -remainder : remainder) * 2n;
  if (twice < divisor) return quotient;
  return units < 0n ? quotient - 1n : quotient + 1n;
}

/**
 * How many digits a non-negative value has (0 has one). Up to 64 digits (every amount the rules
 * multiply), by comparisons with powers of ten, which cost less than writing the value out.
 */
function digitsOf(magnitude: bigint): number {
  let above = 64;
  if (magnitude >= tenToThe(above)) return magnitude.toString().length;
  // The fewest digits is the least d ≥ 1 with magnitude < 10^d, in (below, above].
  let below = 0;
  while (above - below > 1) {
    const middle = (below + above) >> 1;
    if (magnitude < tenToThe(middle)) above = middle;
    else below = middle;
  }
  return above;
}

/** In plain notation without trailing zeros after the point: the digits' text trimmed, no bigint division. */
function withoutTrailingZeros({ units, scale }: DecimalNumber): string {
  if (units === 0n) return '0';
  const negative = units < 0n;
  const digits = (negative ? -units : units).toString();
  let end = digits.length;
  let kept = scale;
  while (kept > 0 && digits.charCodeAt(end - 1) === 0x30) {
    end -= 1;
    kept -= 1;
  }
  return written(end === digits.length ? digits : digits.slice(0, end), kept, negative);
}

/** With exactly `scale` decimals; `scale` at least the value's. */
function rescaled(value: DecimalNumber, scale: number): DecimalNumber {
  return new DecimalNumber(value.units * tenToThe(scale - value.scale), scale);
}

function plain({ units, scale }: DecimalNumber): string {
  const negative = units < 0n;
  return written((negative ? -units : units).toString(), scale, negative);
}

/** The digits of a magnitude written with `scale` decimals, and the sign. */
function written(magnitude: string, scale: number, negative: boolean): string {
  let digits = magnitude;
  if (scale < 0) digits += '0'.repeat(-scale);
  else if (scale > 0) {
    digits = digits.padStart(scale + 1, '0');
    digits = `${digits.slice(0, digits.length - scale)}.${digits.slice(digits.length - scale)}`;
  }
  return negative ? `-${digits}` : digits;
}
