import { Namespaces } from './namespaces.js';
import { type CfdiProblem, CfdiProblemCodes, cfdiProblem, quoted, shortened } from './problems.js';
import type { XmlElement } from './xml-document.js';

export type DocumentKind =
  | { supported: true; version: string | null }
  | { supported: false; version: string | null; problem: CfdiProblem };

/**
 * Whether the root is a CFDI 4.0 Comprobante. One in the cfd/4 namespace without a Version is still
 * treated as 4.0 (the structure check reports the missing attribute); any other version is not.
 */
export function classifyDocument(root: XmlElement): DocumentKind {
  // CFDI 3.2 spelled its attributes in lower case.
  const version = root.attributes.get('Version') ?? root.attributes.get('version') ?? null;
  if (
    root.localName === 'Comprobante' &&
    root.namespace === Namespaces.cfdi40 &&
    (version === null || version === '4.0')
  )
    return { supported: true, version };
  return { supported: false, version, problem: unsupported(root, describe(root, version)) };
}

function describe(root: XmlElement, version: string | null): string {
  const versionText = version === null ? 'without a version' : `version ${quoted(version)}`;
  if (root.localName === 'Comprobante' && root.namespace === Namespaces.cfdi40)
    return `a CFDI Comprobante declaring ${versionText}, not 4.0`;
  if (root.localName === 'Comprobante' && root.namespace === Namespaces.cfdi3)
    return `a CFDI ${version === null ? '3.x' : shortened(version, 10)} Comprobante`;
  if (
    root.localName === 'Retenciones' &&
    (root.namespace === Namespaces.retenciones1 || root.namespace === Namespaces.retenciones2)
  )
    return `a CFDI de Retenciones e información de pagos (${versionText})`;
  const name = root.namespace === null ? root.localName : `{${root.namespace}}${root.localName}`;
  return `an XML document whose root element is ${shortened(name, 200)}`;
}

function unsupported(root: XmlElement, what: string): CfdiProblem {
  return cfdiProblem(
    CfdiProblemCodes.unsupportedDocument,
    shortened(root.path, 200),
    `the document is ${what}; only CFDI 4.0 (cfdi:Comprobante in ${Namespaces.cfdi40}, Version="4.0") is accepted`,
  );
}
