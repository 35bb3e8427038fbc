import { Namespaces } from './namespaces.js';
import { type CfdiProblem, CfdiProblemCodes, cfdiProblem } from './problems.js';
import { findStamp, stampPath } from './stamp.js';
import { attributePath, childElements, childPath, type XmlElement } from './xml-document.js';

/**
 * Read from the document: TFD UUID (lower-case; null if no stamp), Emisor/@Rfc, Receptor/@Rfc, Total,
 * Moneda, Fecha (as written, local time without zone).
 */
export interface DocumentMetadata {
  uuid: string | null;
  issuer: string;
  receiver: string;
  total: string;
  currency: string;
  issuedAt: string;
}

/** One metadata value and where it is (or would be) in the document. */
export interface LocatedValue {
  /** Undefined when the attribute, or the element holding it, is absent or empty. */
  value: string | undefined;
  path: string;
  /** The path of the element that holds the value, when that element is itself absent. */
  missingElement?: string;
}

export type MetadataLocations = Record<keyof DocumentMetadata, LocatedValue>;

export function locateMetadata(comprobante: XmlElement): MetadataLocations {
  const stamp = findStamp(comprobante);
  return {
    uuid: stamp
      ? attributeOf(stamp, 'UUID')
      : { value: undefined, path: `${stampPath}/@UUID`, missingElement: stampPath },
    issuer: childAttribute(comprobante, 'Emisor', 'Rfc'),
    receiver: childAttribute(comprobante, 'Receptor', 'Rfc'),
    total: attributeOf(comprobante, 'Total'),
    currency: attributeOf(comprobante, 'Moneda'),
    issuedAt: attributeOf(comprobante, 'Fecha'),
  };
}

/**
 * The metadata an invoice is created from, or the problems that leave it unknown. Only presence is
 * required here; whether the values are well-formed is for the validation of the document.
 */
export function readDocumentMetadata(comprobante: XmlElement): {
  metadata: DocumentMetadata | null;
  problems: CfdiProblem[];
} {
  const { uuid, ...required } = locateMetadata(comprobante);
  const problems: CfdiProblem[] = [];
  for (const [field, located] of Object.entries(required)) {
    if (located.value !== undefined) continue;
    problems.push(
      located.missingElement
        ? cfdiProblem(
            CfdiProblemCodes.elementRequired,
            located.missingElement,
            `the document has no ${lastStep(located.missingElement)}, so its ${field} is unknown`,
          )
        : cfdiProblem(
            CfdiProblemCodes.attributeRequired,
            located.path,
            `${lastStep(located.path)} is required and must not be empty`,
          ),
    );
  }
  if (problems.length > 0) return { metadata: null, problems };
  return {
    metadata: {
      uuid: uuid.value === undefined ? null : uuid.value.toLowerCase(),
      issuer: required.issuer.value!,
      receiver: required.receiver.value!,
      total: required.total.value!,
      currency: required.currency.value!,
      issuedAt: required.issuedAt.value!,
    },
    problems,
  };
}

function childAttribute(comprobante: XmlElement, elementName: string, name: string): LocatedValue {
  const [element] = childElements(comprobante, Namespaces.cfdi40, elementName);
  if (element) return attributeOf(element, name);
  const missingElement = childPath(comprobante, Namespaces.cfdi40, elementName);
  return { value: undefined, path: `${missingElement}/@${name}`, missingElement };
}

function attributeOf(element: XmlElement, name: string): LocatedValue {
  const value = element.attributes.get(name);
  return { value: value === '' ? undefined : value, path: attributePath(element, name) };
}

function lastStep(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1).replace(/^@/, '');
}
