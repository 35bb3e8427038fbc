import { Namespaces } from './namespaces.js';
import type { CfdiProblem } from './problems.js';
import { comprobante40 } from './structure/cfdi40.js';
import { checkElement } from './structure-rules.js';
import { childElements, type XmlElement } from './xml-document.js';

/**
 * The Comprobante against cfdv40.xsd (structure/cfdi40.ts) and the complements the platform
 * understands (Pagos 2.0, the local-taxes totals); the stamp is stamp.ts's. What an XSD validator
 * would report, except catalog membership (the catalog layer's) and text content inside CFDI
 * elements, which the element tree does not keep.
 */
export function checkComprobanteStructure(comprobante: XmlElement): CfdiProblem[] {
  const problems: CfdiProblem[] = [];
  checkElement(comprobante, comprobante40, problems);
  return problems;
}

export function localTaxesIn(complemento: XmlElement): XmlElement[] {
  return childElements(complemento, Namespaces.impuestosLocales, 'ImpuestosLocales');
}
