import { Decimal } from 'decimal.js';
import type { ConceptLine, TaxLine } from './concept-lines.js';
import { cfdiElement, type TreeElement } from './document-tree.js';

// The Conceptos and Impuestos of a generated invoice, and the totals SAT computes from them.

export interface Totals {
  subTotal: Decimal;
  discount: Decimal | undefined;
  /** Per Impuesto, TipoFactor and TasaOCuota, in order of first appearance. */
  transfers: Map<string, { sample: TaxLine; base: Decimal; amount: Decimal | undefined }>;
  /** Per Impuesto. */
  withholdings: Map<string, Decimal>;
  transferred: Decimal | undefined;
  withheld: Decimal | undefined;
  total: Decimal;
}

// SAT's rounding: each total is the sum of the Concepto values rounded half-up to the currency's
// decimals (2 for MXN, USD and EUR); TotalImpuestos* add the rounded totals.
export function totalsOf(lines: readonly ConceptLine[]): Totals {
  const round = (value: Decimal) => value.toDecimalPlaces(2, Decimal.ROUND_HALF_UP);
  const transfers: Totals['transfers'] = new Map();
  const withholdings = new Map<string, Decimal>();
  for (const line of lines)
    for (const tax of line.taxes) {
      if (tax.kind === 'withholding') {
        withholdings.set(tax.impuesto, (withholdings.get(tax.impuesto) ?? new Decimal(0)).plus(tax.amount!));
        continue;
      }
      const key = `${tax.impuesto}|${tax.tipoFactor}|${tax.rate ?? ''}`;
      const group = transfers.get(key) ?? { sample: tax, base: new Decimal(0), amount: undefined };
      group.base = group.base.plus(tax.base);
      if (tax.amount) group.amount = (group.amount ?? new Decimal(0)).plus(tax.amount);
      transfers.set(key, group);
    }
  for (const group of transfers.values()) {
    group.base = round(group.base);
    if (group.amount) group.amount = round(group.amount);
  }
  for (const [impuesto, amount] of withholdings) withholdings.set(impuesto, round(amount));

  const subTotal = round(lines.reduce((sum, line) => sum.plus(line.amount), new Decimal(0)));
  const discounts = lines.flatMap((line) => (line.discount ? [line.discount] : []));
  const discount = discounts.length > 0 ? round(Decimal.sum(...discounts)) : undefined;
  const taxed = [...transfers.values()].flatMap((group) => (group.amount ? [group.amount] : []));
  // Only exempt transfers: TotalImpuestosTrasladados is left out, as Anexo 20 asks.
  const transferred = taxed.length > 0 ? Decimal.sum(...taxed) : undefined;
  const withheld = withholdings.size > 0 ? Decimal.sum(...withholdings.values()) : undefined;
  const total = subTotal
    .minus(discount ?? 0)
    .plus(transferred ?? 0)
    .minus(withheld ?? 0);
  return { subTotal, discount, transfers, withholdings, transferred, withheld, total };
}

export function conceptElement(line: ConceptLine): TreeElement {
  const transfers = line.taxes.filter((tax) => tax.kind === 'transfer');
  const withholdings = line.taxes.filter((tax) => tax.kind === 'withholding');
  const children: TreeElement[] = [];
  if (line.taxes.length > 0)
    children.push(
      cfdiElement('Impuestos', {}, [
        ...(transfers.length > 0
          ? [
              cfdiElement(
                'Traslados',
                {},
                transfers.map((tax) => taxElement('Traslado', tax)),
              ),
            ]
          : []),
        ...(withholdings.length > 0
          ? [
              cfdiElement(
                'Retenciones',
                {},
                withholdings.map((tax) => taxElement('Retencion', tax)),
              ),
            ]
          : []),
      ]),
    );
  return cfdiElement(
    'Concepto',
    {
      ClaveProdServ: line.product.claveProdServ,
      NoIdentificacion: `SKU-${line.product.claveProdServ.slice(0, 4)}`,
      Cantidad: line.quantity.toFixed(),
      ClaveUnidad: line.product.claveUnidad,
      Unidad: line.product.unidad,
      Descripcion: line.description,
      ValorUnitario: amount(line.unitPrice),
      Importe: amount(line.amount),
      Descuento: line.discount === undefined ? undefined : money(line.discount),
      ObjetoImp: line.taxes.length > 0 ? '02' : '01',
    },
    children,
  );
}

function taxElement(localName: 'Traslado' | 'Retencion', tax: TaxLine): TreeElement {
  return cfdiElement(localName, {
    Base: amount(tax.base),
    Impuesto: tax.impuesto,
    TipoFactor: tax.tipoFactor,
    TasaOCuota: tax.rate,
    Importe: tax.amount === undefined ? undefined : amount(tax.amount),
  });
}

// The Comprobante's taxes: Retenciones before Traslados, as cfdv40.xsd orders them.
export function impuestosElement(totals: Totals): TreeElement | undefined {
  if (totals.transfers.size === 0 && totals.withholdings.size === 0) return undefined;
  const children: TreeElement[] = [];
  if (totals.withholdings.size > 0)
    children.push(
      cfdiElement(
        'Retenciones',
        {},
        [...totals.withholdings].map(([impuesto, importe]) =>
          cfdiElement('Retencion', { Impuesto: impuesto, Importe: money(importe) }),
        ),
      ),
    );
  if (totals.transfers.size > 0)
    children.push(
      cfdiElement(
        'Traslados',
        {},
        [...totals.transfers.values()].map(({ sample, base, amount: importe }) =>
          cfdiElement('Traslado', {
            Base: money(base),
            Impuesto: sample.impuesto,
            TipoFactor: sample.tipoFactor,
            TasaOCuota: sample.rate,
            Importe: importe === undefined ? undefined : money(importe),
          }),
        ),
      ),
    );
  return cfdiElement(
    'Impuestos',
    {
      TotalImpuestosRetenidos: totals.withheld === undefined ? undefined : money(totals.withheld),
      TotalImpuestosTrasladados: totals.transferred === undefined ? undefined : money(totals.transferred),
    },
    children,
  );
}

/** An amount with the currency's 2 decimals. */
export function money(value: Decimal): string {
  return value.toFixed(2, Decimal.ROUND_HALF_UP);
}

/** An exact amount: at least 2 decimals, more when it has them (never over t_Importe's 6). */
function amount(value: Decimal): string {
  return value.toFixed(Math.min(6, Math.max(2, value.decimalPlaces())), Decimal.ROUND_HALF_UP);
}
