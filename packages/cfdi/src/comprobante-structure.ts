import { Namespaces } from './namespaces.js';
import type { ProblemSink } from './problem-list.js';
import type { CfdiProblem } from './problems.js';
import { comprobante40 } from './structure/cfdi40.js';
import { checkElement } from './structure-rules.js';
import { childElements, type XmlElement } from './xml-document.js';

/**
 * The Comprobante against cfdv40.xsd (structure/cfdi40.ts) and the complements the platform
 * understands (Pagos 2.0, the local-taxes totals); the stamp is stamp.ts's. What an XSD validator
 * would report, except catalog membership (the catalog layer's) and text content inside CFDI
 * elements, which the element tree does not keep. Problems go to `problems` when given
 * (validateCfdi's list, which keeps only so many: a document can have one per element), else to a
 * new array.
 */
export function checkComprobanteStructure(comprobante: XmlElement): CfdiProblem[];
export function checkComprobanteStructure<Sink extends ProblemSink>(
  comprobante: XmlElement,
  problems: Sink,
): Sink;
export function checkComprobanteStructure(comprobante: XmlElement, problems: ProblemSink = []): ProblemSink {
  checkElement(comprobante, comprobante40, problems);
  return problems;
}

export function localTaxesIn(complemento: XmlElement): readonly XmlElement[] {
  return childElements(complemento, Namespaces.impuestosLocales, 'ImpuestosLocales');
}
