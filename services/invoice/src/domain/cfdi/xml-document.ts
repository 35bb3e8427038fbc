import { satPrefixOf } from './namespaces.js';

/** An element with its namespace resolved; what the CFDI rules read instead of raw parser output. */
export interface XmlElement {
  readonly namespace: string | null;
  readonly localName: string;
  /** XPath-like, with SAT's prefixes: `/cfdi:Comprobante/cfdi:Conceptos/cfdi:Concepto[2]`. */
  readonly path: string;
  /** Attributes without a prefix (all that CFDI defines), by name, with references decoded. */
  readonly attributes: ReadonlyMap<string, string>;
  readonly children: readonly XmlElement[];
}

export function childElements(parent: XmlElement, namespace: string, localName: string): XmlElement[] {
  return parent.children.filter((child) => child.namespace === namespace && child.localName === localName);
}

/** The path step an element of this name gets, e.g. `cfdi:Emisor`. */
export function stepOf(namespace: string | null, localName: string, documentPrefix = ''): string {
  const prefix = satPrefixOf(namespace) ?? documentPrefix;
  return prefix === '' ? localName : `${prefix}:${localName}`;
}

/** Where a child would be: the path named by a problem about a missing element. */
export function childPath(parent: XmlElement, namespace: string, localName: string): string {
  return `${parent.path}/${stepOf(namespace, localName)}`;
}

export function attributePath(element: XmlElement, name: string): string {
  return `${element.path}/@${name}`;
}
