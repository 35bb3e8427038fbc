import type { XmlElement } from '../xml-document.js';
import { cfdiChild, cfdiGrandchildren, conceptosOf, type RuleContext } from './rule-context.js';

// The Comprobante's Impuestos sums up its Conceptos' taxes: one Retencion per Impuesto, one Traslado
// per Impuesto, TipoFactor and TasaOCuota, each the rounded sum of the Concepto lines in its group, and
// the two totals the sums of those.
export const typesWithoutImpuestos = new Set(['T', 'P']);

export interface Summary {
  impuestos: XmlElement;
  retenciones: readonly XmlElement[];
  traslados: readonly XmlElement[];
}

/** The Comprobante's Impuestos of an I, E or N document, for the rules that check its sums. */
export function summaryOf(context: RuleContext): Summary | undefined {
  const impuestos = cfdiChild(context.comprobante, 'Impuestos');
  if (!impuestos || typesWithoutImpuestos.has(context.tipoDeComprobante ?? '')) return undefined;
  return {
    impuestos,
    retenciones: cfdiGrandchildren(impuestos, 'Retenciones', 'Retencion'),
    traslados: cfdiGrandchildren(impuestos, 'Traslados', 'Traslado'),
  };
}

export function conceptLines(
  context: RuleContext,
  group: 'Traslados' | 'Retenciones',
  name: string,
): XmlElement[] {
  return conceptosOf(context.comprobante).flatMap((concepto) =>
    cfdiGrandchildren(cfdiChild(concepto, 'Impuestos'), group, name),
  );
}
