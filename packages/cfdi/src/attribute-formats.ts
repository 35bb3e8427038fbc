/** A lexical rule from SAT's schemas, with the words a problem message uses for it. */
export interface AttributeFormat {
  readonly description: string;
  matches(value: string): boolean;
}

/** A CFDI date and time (t_FechaH), local wall-clock time in Mexico with no zone. */
export interface FechaH {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
}

// tdCFDI.xsd, cfdv40.xsd, Pagos20.xsd and TimbreFiscalDigitalv11.xsd: the whole value must match (XSD
// patterns are anchored). The pattern's "." in t_Importe is unescaped there; the xs:decimal base type
// allows only a point, so it is a point here. Every pattern is compiled once, here.
const patterns = {
  rfc: /^[A-Z&Ñ]{3,4}[0-9]{2}(0[1-9]|1[012])(0[1-9]|[12][0-9]|3[01])[A-Z0-9]{2}[0-9A]$/,
  rfcPersonaMoral: /^[A-Z&Ñ]{3}[0-9]{2}(0[1-9]|1[012])(0[1-9]|[12][0-9]|3[01])[A-Z0-9]{2}[0-9A]$/,
  rfcOrderingBank:
    /^(XEXX010101000|[A-Z&Ñ]{3}[0-9]{2}(0[1-9]|1[012])(0[1-9]|[12][0-9]|3[01])[A-Z0-9]{2}[0-9A])$/,
  importe: /^[0-9]{1,18}(\.[0-9]{1,6})?$/,
  importeMxn: /^[0-9]{1,18}(\.[0-9]{1,2})?$/,
  xsDecimal: /^[+-]?(\d+(\.\d*)?|\.\d+)$/,
  xsUnsignedInteger: /^\+?[0-9]+$/,
  currency: /^[A-Z]{3}$/,
  certificateNumber: /^[0-9]{20}$/,
  postalCode: /^[0-9]{5}$/,
  uuid: /^[a-fA-F0-9]{8}-[a-fA-F0-9]{4}-[a-fA-F0-9]{4}-[a-fA-F0-9]{4}-[a-fA-F0-9]{12}$/,
  relatedDocumentId:
    /^([a-fA-F0-9]{8}-[a-fA-F0-9]{4}-[a-fA-F0-9]{4}-[a-fA-F0-9]{4}-[a-fA-F0-9]{12}|[0-9]{3}-[0-9]{2}-[0-9]{9})$/,
  tenDigits: /^[0-9]{10}$/,
  confirmation: /^[0-9a-zA-Z]{5}$/,
  customsDeclaration: /^[0-9]{2} {2}[0-9]{2} {2}[0-9]{4} {2}[0-9]{7}$/,
  propertyTaxAccount: /^[0-9a-zA-Z]{1,150}$/,
  installment: /^[1-9][0-9]{0,2}$/,
  bankAccount: /^[A-Z0-9_]{10,50}$/,
  base64Alphabet: /^[A-Za-z0-9+/]*$/,
  legend: /^[A-Za-z0-9 Ññ!"%&'´\-:;>=<@_,{}`~áéíóúÁÉÍÓÚüÜ]+$/,
  whitespaceRun: /[ \t\n\r]+/g,
  nonBlank: /[^ \t\n\r]/,
  spaces: / /g,
};

function fromPattern(pattern: RegExp, description: string): AttributeFormat {
  return { description, matches: (value) => pattern.test(value) };
}

/**
 * Free text as cfdv40.xsd types it: whitespace collapsed, then 1 to `maxLength` characters without
 * "|" (the cadena original's separator). Free text is the one kind of value read as the schema reads
 * it, since surrounding spaces change nothing the platform stores.
 */
function text(maxLength: number, { pipeAllowed = false, collapse = true } = {}): AttributeFormat {
  return {
    description: `text of 1 to ${maxLength} characters${pipeAllowed ? '' : ' without "|"'}`,
    matches: (value) => {
      if (!pipeAllowed && value.includes('|')) return false;
      if (collapse ? !patterns.nonBlank.test(value) : value === '') return false;
      // Collapsing and counting code points only ever shorten a value: most values need neither.
      if (value.length <= maxLength) return true;
      return (collapse ? collapsedLength(value) : codePointLength(value)) <= maxLength;
    },
  };
}

/** An xs:decimal with at most `fractionDigits` significant decimals, positive or non-negative. */
function decimal(fractionDigits: number, minimum: 'positive' | 'zero'): AttributeFormat {
  const sign = minimum === 'positive' ? 'positive' : 'non-negative';
  return {
    description: `a ${sign} decimal with at most ${fractionDigits} decimals`,
    matches: (value) => isDecimalWithin(value, fractionDigits, minimum),
  };
}

/**
 * Values are checked as written. The schemas collapse whitespace first, but these values become the
 * invoice's metadata (an RFC with a leading space would not match its issuer), so spaces are errors.
 * Free text (names, descriptions) is the exception: see `text`.
 */
export const AttributeFormats = {
  rfc: fromPattern(patterns.rfc, 'an RFC of 12 or 13 characters such as EKU9003173C9 (t_RFC)'),
  rfcPersonaMoral: fromPattern(patterns.rfcPersonaMoral, 'the 12-character RFC of a company (t_RFC_PM)'),
  rfcOrderingBank: fromPattern(patterns.rfcOrderingBank, 'XEXX010101000 or the 12-character RFC of a bank'),
  importe: fromPattern(patterns.importe, 'a non-negative amount with at most 6 decimals (t_Importe)'),
  importeMxn: fromPattern(
    patterns.importeMxn,
    'a non-negative amount with at most 2 decimals (t_ImporteMXN)',
  ),
  quantity: decimal(6, 'positive'),
  rate: decimal(6, 'zero'),
  equivalence: decimal(10, 'positive'),
  fechaH: {
    description: 'a date and time written YYYY-MM-DDThh:mm:ss on a real calendar day (t_FechaH)',
    matches: (value: string) => parseFechaH(value) !== undefined,
  },
  year: {
    description: 'a year from 2019 on',
    matches: (value: string) => patterns.xsUnsignedInteger.test(value) && inShortRange(value, 2019),
  },
  currency: fromPattern(patterns.currency, 'a three-letter currency code such as MXN'),
  certificateNumber: fromPattern(patterns.certificateNumber, 'a certificate number of 20 digits'),
  postalCode: fromPattern(patterns.postalCode, 'a postal code of 5 digits'),
  uuid: fromPattern(patterns.uuid, 'a UUID of 36 characters (8-4-4-4-12 hexadecimal digits)'),
  relatedDocumentId: fromPattern(patterns.relatedDocumentId, 'a UUID, or a folio written 999-99-999999999'),
  tenDigits: fromPattern(patterns.tenDigits, '10 digits'),
  confirmation: fromPattern(patterns.confirmation, '5 letters or digits'),
  customsDeclaration: fromPattern(
    patterns.customsDeclaration,
    'a pedimento of 21 characters written "99  99  9999  9999999"',
  ),
  propertyTaxAccount: fromPattern(patterns.propertyTaxAccount, '1 to 150 letters or digits'),
  installment: fromPattern(patterns.installment, 'a whole number from 1 to 999 without leading zeros'),
  bankAccount: fromPattern(patterns.bankAccount, '10 to 50 capital letters, digits or "_"'),
  base64: {
    description: 'base64 text',
    matches: (value: string) => isBase64(value.includes(' ') ? value.replace(patterns.spaces, '') : value),
  },
  legend: {
    description: 'text of 12 to 150 letters, digits, spaces and the punctuation TFD 1.1 allows',
    matches: (value: string) => {
      const length = collapsedLength(value);
      return length >= 12 && length <= 150 && patterns.legend.test(value);
    },
  },
  text25: text(25),
  text40: text(40),
  text100: text(100),
  text100Preserved: text(100, { collapse: false }),
  text20: text(20),
  text300: text(300),
  text1000: text(1000),
  anyText40: text(40, { pipeAllowed: true }),
  anyText8192: text(8192, { pipeAllowed: true }),
  version40: exactly('4.0'),
  version11: exactly('1.1'),
  version20: exactly('2.0'),
  paymentChainType: exactly('01'),
} satisfies Record<string, AttributeFormat>;

export function exactly(expected: string): AttributeFormat {
  return { description: `exactly "${expected}"`, matches: (value) => value === expected };
}

// A document's dates (Fecha, FechaTimbrado, FechaPago) are each read by several checks, so the
// readings of recent ones are kept: a few thousand at most, each a date written in 19 characters.
const fechas = new Map<string, FechaH | undefined>();
const fechasKept = 1_024;

export function parseFechaH(value: string): FechaH | undefined {
  const known = fechas.get(value);
  if (known !== undefined || value.length !== 19) return known ?? readFechaH(value);
  const fecha = readFechaH(value);
  if (fechas.size >= fechasKept) fechas.clear();
  fechas.set(value, fecha);
  return fecha;
}

/**
 * t_FechaH, `(20[1-9][0-9])-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):([0-5][0-9]):([0-5][0-9])`,
 * on a real calendar day, read position by position: every field has its place in the 19 characters,
 * and a regular expression with six groups, then a Date, cost several times more.
 */
function readFechaH(value: string): FechaH | undefined {
  if (value.length !== 19 || !hasFechaHSeparators(value)) return undefined;
  const year = digitsAt(value, 0, 4);
  const month = digitsAt(value, 5, 2);
  const day = digitsAt(value, 8, 2);
  const hour = digitsAt(value, 11, 2);
  const minute = digitsAt(value, 14, 2);
  const second = digitsAt(value, 17, 2);
  // 20[1-9][0-9], 0[1-9]|1[0-2], 0[1-9]|[12][0-9]|3[01], [01][0-9]|2[0-3], [0-5][0-9], [0-5][0-9]
  if (year < 2010 || year > 2099 || month < 1 || month > 12 || day < 1 || day > 31) return undefined;
  if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) return undefined;
  // The pattern allows 2023-02-30; a real calendar does not.
  if (day > daysIn(year, month)) return undefined;
  return Object.freeze({ year, month, day, hour, minute, second });
}

function hasFechaHSeparators(value: string): boolean {
  return (
    value.charCodeAt(4) === 0x2d && // -
    value.charCodeAt(7) === 0x2d &&
    value.charCodeAt(10) === 0x54 && // T
    value.charCodeAt(13) === 0x3a && // :
    value.charCodeAt(16) === 0x3a
  );
}

/** The number `length` ASCII digits at `start` spell, or -1 when one of them is not a digit. */
function digitsAt(value: string, start: number, length: number): number {
  let number = 0;
  for (let index = start; index < start + length; index++) {
    const digit = value.charCodeAt(index) - 0x30;
    if (digit < 0 || digit > 9) return -1;
    number = number * 10 + digit;
  }
  return number;
}

const daysInMonth = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysIn(year: number, month: number): number {
  if (month !== 2) return daysInMonth[month - 1]!;
  return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
}

// xs:decimal with fractionDigits: trailing zeros are not significant ("1.5000000" has one digit), and
// "-0" is zero.
function isDecimalWithin(value: string, fractionDigits: number, minimum: 'positive' | 'zero'): boolean {
  if (!patterns.xsDecimal.test(value)) return false;
  const unsigned = value.charCodeAt(0) === 43 || value.charCodeAt(0) === 45 ? value.slice(1) : value;
  const point = unsigned.indexOf('.');
  const whole = point === -1 ? unsigned : unsigned.slice(0, point);
  const fraction = point === -1 ? '' : unsigned.slice(point + 1);
  let significantFraction = fraction.length;
  while (significantFraction > 0 && fraction.charCodeAt(significantFraction - 1) === 48)
    significantFraction--;
  if (significantFraction > fractionDigits) return false;
  const isZero = !/[1-9]/.test(whole) && !/[1-9]/.test(fraction);
  if (minimum === 'positive') return !isZero && !value.startsWith('-');
  return isZero || !value.startsWith('-');
}

/**
 * `^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$`, which the Certificado (2 KB) and
 * the seals make the costliest pattern of a document: whole quads, padding only at the end, the rest
 * one character class, which runs several times faster.
 */
function isBase64(value: string): boolean {
  if (value.length % 4 !== 0) return false;
  const padding = value.endsWith('==') ? 2 : value.endsWith('=') ? 1 : 0;
  return patterns.base64Alphabet.test(padding === 0 ? value : value.slice(0, value.length - padding));
}

// xs:short tops out at 32767.
function inShortRange(value: string, minimum: number): boolean {
  const number = Number(value);
  return number >= minimum && number <= 32_767;
}

/** The length XSD gives a value after whitespace collapse, in characters (code points). */
function collapsedLength(value: string): number {
  const collapsed = value.replace(patterns.whitespaceRun, ' ').trim();
  return codePointLength(collapsed);
}

function codePointLength(value: string): number {
  let length = 0;
  for (let index = 0; index < value.length; index++) {
    const code = value.charCodeAt(index);
    // A high surrogate followed by its low half is one character.
    if (code >= 0xd800 && code <= 0xdbff && index + 1 < value.length) index++;
    length++;
  }
  return length;
}
