/** A lexical rule from SAT's schemas, with the words a problem message uses for it. */
export interface AttributeFormat {
  readonly description: string;
  matches(value: string): boolean;
}

/** A CFDI date and time (t_FechaH), local wall-clock time in Mexico with no zone. */
export interface FechaH {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

// tdCFDI.xsd: the whole value must match (XSD patterns are anchored). The pattern's "." in t_Importe
// is unescaped there; the xs:decimal base type allows only a point, so it is a point here.
const patterns = {
  rfc: /^[A-Z&Ñ]{3,4}[0-9]{2}(0[1-9]|1[012])(0[1-9]|[12][0-9]|3[01])[A-Z0-9]{2}[0-9A]$/,
  rfcPersonaMoral: /^[A-Z&Ñ]{3}[0-9]{2}(0[1-9]|1[012])(0[1-9]|[12][0-9]|3[01])[A-Z0-9]{2}[0-9A]$/,
  importe: /^[0-9]{1,18}(\.[0-9]{1,6})?$/,
  xsDecimal: /^\+?(\d+(\.\d*)?|\.\d+)$/,
  fechaH:
    /^(20[1-9][0-9])-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):([0-5][0-9]):([0-5][0-9])$/,
  currency: /^[A-Z]{3}$/,
  certificateNumber: /^[0-9]{20}$/,
  postalCode: /^[0-9]{5}$/,
  uuid: /^[a-fA-F0-9]{8}-[a-fA-F0-9]{4}-[a-fA-F0-9]{4}-[a-fA-F0-9]{4}-[a-fA-F0-9]{12}$/,
};

function fromPattern(pattern: RegExp, description: string): AttributeFormat {
  return { description, matches: (value) => pattern.test(value) };
}

/**
 * Values are checked as written. The schemas collapse whitespace first, but these values become the
 * invoice's metadata (an RFC with a leading space would not match its issuer), so spaces are errors.
 */
export const AttributeFormats = {
  rfc: fromPattern(patterns.rfc, 'an RFC of 12 or 13 characters such as EKU9003173C9 (t_RFC)'),
  rfcPersonaMoral: fromPattern(patterns.rfcPersonaMoral, 'the 12-character RFC of a company (t_RFC_PM)'),
  importe: fromPattern(patterns.importe, 'a non-negative amount with at most 6 decimals (t_Importe)'),
  quantity: {
    description: 'a positive decimal with at most 6 decimals',
    matches: (value: string) => isPositiveDecimalWithin(value, 6),
  },
  fechaH: {
    description: 'a date and time written YYYY-MM-DDThh:mm:ss on a real calendar day (t_FechaH)',
    matches: (value: string) => parseFechaH(value) !== undefined,
  },
  currency: fromPattern(patterns.currency, 'a three-letter currency code such as MXN'),
  certificateNumber: fromPattern(patterns.certificateNumber, 'a certificate number of 20 digits'),
  postalCode: fromPattern(patterns.postalCode, 'a postal code of 5 digits'),
  uuid: fromPattern(patterns.uuid, 'a UUID of 36 characters (8-4-4-4-12 hexadecimal digits)'),
  version11: fromPattern(/^1\.1$/, 'exactly "1.1"'),
} satisfies Record<string, AttributeFormat>;

export function parseFechaH(value: string): FechaH | undefined {
  const match = patterns.fechaH.exec(value);
  if (!match) return undefined;
  const [year, month, day, hour, minute, second] = match.slice(1).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  // The pattern allows 2023-02-30; a real calendar does not.
  const calendarDay = new Date(Date.UTC(year, month - 1, day));
  if (calendarDay.getUTCMonth() !== month - 1) return undefined;
  return { year, month, day, hour, minute, second };
}

// xs:decimal with fractionDigits: trailing zeros are not significant ("1.5000000" has one digit).
function isPositiveDecimalWithin(value: string, fractionDigits: number): boolean {
  if (!patterns.xsDecimal.test(value)) return false;
  const [whole = '', fraction = ''] = value.replace('+', '').split('.');
  const significantFraction = fraction.replace(/0+$/, '');
  return significantFraction.length <= fractionDigits && /[1-9]/.test(whole + significantFraction);
}
