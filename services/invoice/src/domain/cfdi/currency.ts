// Decimals SAT's c_Moneda gives currencies that do not use 2 (catalog 10.14.20260806; see
// fixtures/cfdi/catalogs/c_Moneda.csv). Every other code, known or not, uses 2.
const decimalsOtherThanTwo = new Map<string, number>([
  ...['BHD', 'IQD', 'JOD', 'KWD', 'LYD', 'OMR', 'TND'].map((code) => [code, 3] as const),
  ['CLF', 4],
  ...[
    'BIF',
    'BYR',
    'CLP',
    'DJF',
    'GNF',
    'ISK',
    'JPY',
    'KMF',
    'KRW',
    'PYG',
    'RWF',
    'UGX',
    'UYI',
    'VND',
    'VUV',
    'XAF',
    'XAG',
    'XAU',
    'XBA',
    'XBB',
    'XBC',
    'XBD',
    'XDR',
    'XOF',
    'XPD',
    'XPF',
    'XPT',
    'XSU',
    'XTS',
    'XUA',
    'XXX',
  ].map((code) => [code, 0] as const),
]);

/**
 * How many decimals amounts in this currency are rounded to (MXN 2, JPY 0, XXX 0).
 *
 * @deprecated A copy of c_Moneda's decimals for checkArithmetic only; the rule matrix reads them from
 * the catalog (CfdiCatalogs.moneda).
 */
export function currencyDecimals(currency: string | undefined): number {
  return (currency === undefined ? undefined : decimalsOtherThanTwo.get(currency)) ?? 2;
}
