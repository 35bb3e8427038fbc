import { Decimal } from 'decimal.js';
import { AttributeFormats } from './attribute-formats.js';
import { localTaxesIn } from './comprobante-structure.js';
import { currencyDecimals } from './currency.js';
import { Namespaces } from './namespaces.js';
import { type CfdiProblem, CfdiProblemCodes, cfdiProblem } from './problems.js';
import { attributePath, childElements, type XmlElement } from './xml-document.js';

/** The amounts the rules compare; undefined where the document's value is missing or malformed. */
interface Amounts {
  subTotal: Decimal | undefined;
  discount: Decimal | undefined;
  total: Decimal | undefined;
  conceptImportes: Decimal | undefined;
  transferred: Decimal | undefined;
  withheld: Decimal | undefined;
  /** The local-taxes complement (implocal), when the document has one. */
  local: { transferred: Decimal | undefined; withheld: Decimal | undefined } | undefined;
}

/** Rounding half-up to the currency's decimals, as SAT compares amounts. */
interface Rounding {
  round(value: Decimal): Decimal;
  show(value: Decimal): string;
  /** "rounded to 2 decimals for MXN" */
  words: string;
}

const zero = new Decimal(0);
// Traslado and Pago documents carry no amounts of their own (CFDI40109); the sum rule is for I, E, N.
const typesWithoutAmounts = new Set(['T', 'P']);

/**
 * The Comprobante's amounts against each other, in decimal arithmetic. A rule whose inputs are
 * missing or malformed is skipped: the structure check has reported those already.
 *
 * @deprecated The SAT rule matrix (`rules/index.ts`, checkSatRules) checks the same four codes with
 * the currency's decimals from c_Moneda; this stays only until validateCfdi calls it instead.
 */
export function checkArithmetic(comprobante: XmlElement): CfdiProblem[] {
  const amounts = readAmounts(comprobante);
  const rounding = roundingFor(comprobante.attributes.get('Moneda'));
  const withoutAmounts = typesWithoutAmounts.has(comprobante.attributes.get('TipoDeComprobante') ?? '');
  return [
    ...(withoutAmounts
      ? checkZeroAmounts(comprobante, amounts)
      : checkSubTotal(comprobante, amounts, rounding)),
    ...checkDiscount(comprobante, amounts),
    ...checkTotal(comprobante, amounts, rounding),
  ];
}

function checkZeroAmounts(comprobante: XmlElement, { subTotal, total }: Amounts): CfdiProblem[] {
  const entries = [['SubTotal', subTotal] as const, ['Total', total] as const];
  return entries
    .filter(([, value]) => value !== undefined && !value.isZero())
    .map(([name, value]) =>
      cfdiProblem(
        CfdiProblemCodes.amountNotZero,
        attributePath(comprobante, name),
        `${name} must be 0 when TipoDeComprobante is T or P; it is ${value}`,
      ),
    );
}

// SAT compares SubTotal with the rounded sum, so Importe values with 6 decimals still add up.
function checkSubTotal(comprobante: XmlElement, { subTotal, conceptImportes }: Amounts, rounding: Rounding) {
  if (!subTotal || !conceptImportes || subTotal.equals(rounding.round(conceptImportes))) return [];
  const message = `SubTotal ${subTotal} is not the sum of the Concepto Importe values ${rounding.words}: ${rounding.show(conceptImportes)}`;
  return [cfdiProblem(CfdiProblemCodes.subTotalMismatch, attributePath(comprobante, 'SubTotal'), message)];
}

function checkDiscount(comprobante: XmlElement, { subTotal, discount }: Amounts): CfdiProblem[] {
  if (!subTotal || !discount?.greaterThan(subTotal)) return [];
  const message = `Descuento ${discount} is greater than SubTotal ${subTotal}`;
  return [
    cfdiProblem(CfdiProblemCodes.discountExceedsSubTotal, attributePath(comprobante, 'Descuento'), message),
  ];
}

// Total = SubTotal − Descuento + transferred taxes − withheld taxes, local ones included.
function checkTotal(comprobante: XmlElement, amounts: Amounts, rounding: Rounding): CfdiProblem[] {
  const { total, subTotal, discount, transferred, withheld, local } = amounts;
  const localTransferred = local ? local.transferred : zero;
  const localWithheld = local ? local.withheld : zero;
  if (!total || !subTotal || !discount || !transferred || !withheld || !localTransferred || !localWithheld)
    return [];
  const expected = rounding.round(
    subTotal.minus(discount).plus(transferred).minus(withheld).plus(localTransferred).minus(localWithheld),
  );
  if (total.equals(expected)) return [];
  const terms = [
    `SubTotal ${subTotal} − Descuento ${discount}`,
    `+ TotalImpuestosTrasladados ${transferred} − TotalImpuestosRetenidos ${withheld}`,
    ...(local
      ? [`+ implocal TotaldeTraslados ${localTransferred} − TotaldeRetenciones ${localWithheld}`]
      : []),
  ];
  const message = `Total ${total} is not ${terms.join(' ')} ${rounding.words}: ${rounding.show(expected)}`;
  return [cfdiProblem(CfdiProblemCodes.totalMismatch, attributePath(comprobante, 'Total'), message)];
}

function readAmounts(comprobante: XmlElement): Amounts {
  const cfdi = Namespaces.cfdi40;
  const [conceptos] = childElements(comprobante, cfdi, 'Conceptos');
  const concepts = conceptos ? childElements(conceptos, cfdi, 'Concepto') : [];
  const [impuestos] = childElements(comprobante, cfdi, 'Impuestos');
  const [complemento] = childElements(comprobante, cfdi, 'Complemento');
  const localTaxes = complemento ? localTaxesIn(complemento) : [];
  return {
    subTotal: amountOf(comprobante, 'SubTotal'),
    discount: amountOf(comprobante, 'Descuento', zero),
    total: amountOf(comprobante, 'Total'),
    conceptImportes: concepts.length > 0 ? sumOf(concepts, 'Importe') : undefined,
    transferred: amountOf(impuestos, 'TotalImpuestosTrasladados', zero),
    withheld: amountOf(impuestos, 'TotalImpuestosRetenidos', zero),
    local:
      localTaxes.length > 0
        ? {
            transferred: sumOf(localTaxes, 'TotaldeTraslados'),
            withheld: sumOf(localTaxes, 'TotaldeRetenciones'),
          }
        : undefined,
  };
}

function roundingFor(currency: string | undefined): Rounding {
  const decimals = currencyDecimals(currency);
  return {
    round: (value) => value.toDecimalPlaces(decimals, Decimal.ROUND_HALF_UP),
    show: (value) => value.toFixed(decimals, Decimal.ROUND_HALF_UP),
    words: `rounded to ${decimals} decimals for ${currency ?? 'the currency'}`,
  };
}

/** The attribute as a decimal; `whenAbsent` if it is not there; undefined if it cannot be used. */
function amountOf(element: XmlElement | undefined, name: string, whenAbsent?: Decimal): Decimal | undefined {
  const value = element?.attributes.get(name);
  if (value === undefined) return whenAbsent;
  return AttributeFormats.importe.matches(value) ? new Decimal(value) : undefined;
}

function sumOf(elements: readonly XmlElement[], name: string): Decimal | undefined {
  let sum = zero;
  for (const element of elements) {
    const amount = amountOf(element, name);
    if (!amount) return undefined;
    sum = sum.plus(amount);
  }
  return sum;
}
