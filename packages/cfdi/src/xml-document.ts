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

/**
 * An element of a tree parseDocument read. Such a tree is complete when the reader returns it and
 * never changes after, so each element keeps the answer to every lookup of its children by name: the
 * rules look children up hundreds of times per document, always by the same few names. (The
 * generator's trees, which do change, are plain objects, looked up by filtering.)
 */
export class ParsedElement implements XmlElement {
  path = '';
  readonly children: XmlElement[] = [];
  // Namespace, local name and the children found, three slots per lookup. The names asked for are the
  // rules' own string constants, so comparing them is nearly always comparing references, where a
  // map keyed by the document's names would compare their characters.
  #lookups: (string | readonly XmlElement[])[] | undefined;

  constructor(
    readonly namespace: string | null,
    readonly localName: string,
    readonly attributes: ReadonlyMap<string, string>,
  ) {}

  childrenNamed(namespace: string, localName: string): readonly XmlElement[] {
    if (this.children.length === 0) return noElements;
    if (!this.#lookups) this.#lookups = [];
    const lookups = this.#lookups;
    for (let index = 0; index < lookups.length; index += 3)
      if (lookups[index + 1] === localName && lookups[index] === namespace)
        return lookups[index + 2] as readonly XmlElement[];
    const found = this.children.filter(
      (child) => child.localName === localName && child.namespace === namespace,
    );
    const children = found.length === 0 ? noElements : found;
    lookups.push(namespace, localName, children);
    return children;
  }
}

const noElements: readonly XmlElement[] = Object.freeze([]);

export function childElements(
  parent: XmlElement,
  namespace: string,
  localName: string,
): readonly XmlElement[] {
  if (parent instanceof ParsedElement) return parent.childrenNamed(namespace, localName);
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
