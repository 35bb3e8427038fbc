import { Decimal } from 'decimal.js';
import { type ProductSample, products } from './catalog-sample.js';
import { chance, integerBetween, pick, type Random } from './seeded-random.js';

/** A tax on one Concepto: a transfer (traslado) or a withholding (retención). */
export interface TaxLine {
  kind: 'transfer' | 'withholding';
  /** c_Impuesto: 001 ISR, 002 IVA. */
  impuesto: '001' | '002';
  tipoFactor: 'Tasa' | 'Exento';
  /** Six decimals, as c_TasaOCuota writes it; absent for Exento. */
  rate: string | undefined;
  base: Decimal;
  /** Base × rate, rounded half-up to the document's tax decimals; absent for Exento. */
  amount: Decimal | undefined;
}

export interface ConceptLine {
  product: ProductSample;
  description: string;
  quantity: Decimal;
  unitPrice: Decimal;
  /** Cantidad × ValorUnitario, exact. */
  amount: Decimal;
  discount: Decimal | undefined;
  taxes: TaxLine[];
}

export interface ConceptChoices {
  withDiscounts: boolean;
  withTaxes: boolean;
  withWithholdings: boolean;
  /** Issued from the northern border region, where IVA 8% applies to products with the stimulus. */
  borderRegion: boolean;
  /** Units of the currency per MXN, to keep prices plausible in USD or EUR. */
  pricePerPeso: Decimal;
  /** Decimals of Concepto tax amounts: ERPs write 2 or 6; either lies within Anexo 20's limits. */
  taxDecimals: 2 | 6;
}

const iva16 = '0.160000';
const iva8 = '0.080000';
const iva0 = '0.000000';
// Withholdings a company makes from an individual's fees: ISR 10% and two thirds of IVA 16%; the
// Régimen Simplificado de Confianza withholds ISR 1.25%.
const withholdingSets: readonly (readonly [TaxLine['impuesto'], string][])[] = [
  [
    ['001', '0.100000'],
    ['002', '0.106667'],
  ],
  [['001', '0.012500']],
  [['002', '0.040000']],
];

/** One Concepto with its quantity, price, discount and taxes; every amount exact, nothing rounded. */
export function conceptLine(random: Random, choices: ConceptChoices): ConceptLine {
  const product = pick(random, products);
  const quantity = quantityOf(random, product);
  const unitPrice = unitPriceOf(random, product, choices.pricePerPeso, quantity.decimalPlaces());
  const amount = quantity.times(unitPrice);
  const discount =
    choices.withDiscounts && chance(random, 0.6)
      ? amount.times(pick(random, [0.05, 0.1, 0.15, 0.2, 0.5])).toDecimalPlaces(2, Decimal.ROUND_HALF_UP)
      : undefined;
  const base = discount ? amount.minus(discount) : amount;
  const taxes = choices.withTaxes && chance(random, 0.9) ? taxesOf(random, product, base, choices) : [];
  return {
    product,
    description: pick(random, product.descriptions),
    quantity,
    unitPrice,
    amount,
    discount,
    taxes,
  };
}

function quantityOf(random: Random, product: ProductSample): Decimal {
  if (!product.fractional || chance(random, 0.4)) return new Decimal(integerBetween(random, 1, 12));
  // 0.5 to 40 with up to three decimals, as a scale or a timesheet reads.
  return new Decimal(integerBetween(random, 500, 40_000)).dividedBy(1000);
}

// ValorUnitario has 2 decimals, sometimes more (a price list in 4 or 6), but never so many that
// Cantidad × ValorUnitario needs more than the 6 decimals t_Importe allows.
function unitPriceOf(
  random: Random,
  product: ProductSample,
  pricePerPeso: Decimal,
  quantityDecimals: number,
): Decimal {
  const [lowest, highest] = product.price;
  const pesos = lowest + random() * (highest - lowest);
  const decimals = Math.min(pick(random, [2, 2, 2, 4, 6]), 6 - quantityDecimals);
  const price = new Decimal(pesos)
    .times(pricePerPeso)
    .toDecimalPlaces(Math.max(decimals, 2), Decimal.ROUND_HALF_UP);
  return price.isZero() ? new Decimal('0.01') : price;
}

function taxesOf(random: Random, product: ProductSample, base: Decimal, choices: ConceptChoices): TaxLine[] {
  const border = choices.borderRegion && product.borderStimulus;
  const iva = pick(random, border ? [iva8, iva8, iva16, 'exento'] : [iva16, iva16, iva16, iva0, 'exento']);
  const transfer: TaxLine =
    iva === 'exento'
      ? { kind: 'transfer', impuesto: '002', tipoFactor: 'Exento', rate: undefined, base, amount: undefined }
      : {
          kind: 'transfer',
          impuesto: '002',
          tipoFactor: 'Tasa',
          rate: iva,
          base,
          amount: taxOf(base, iva, choices.taxDecimals),
        };
  if (!choices.withWithholdings || iva !== iva16 || !chance(random, 0.5)) return [transfer];
  const withholdings = pick(random, withholdingSets).map(
    ([impuesto, rate]): TaxLine => ({
      kind: 'withholding',
      impuesto,
      tipoFactor: 'Tasa',
      rate,
      base,
      amount: taxOf(base, rate, choices.taxDecimals),
    }),
  );
  return [transfer, ...withholdings];
}

function taxOf(base: Decimal, rate: string, decimals: number): Decimal {
  return base.times(rate).toDecimalPlaces(decimals, Decimal.ROUND_HALF_UP);
}
