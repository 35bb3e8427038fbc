import { Namespaces } from '../namespaces.js';
import { stepOf, type XmlElement } from '../xml-document.js';

/**
 * A generated element: an XmlElement the generator and mutations may change, that serializes to
 * XML. The same tree feeds the cadena original, so a document is sealed over exactly what is written.
 */
export interface TreeElement extends XmlElement {
  namespace: string;
  localName: string;
  path: string;
  attributes: Map<string, string>;
  children: TreeElement[];
}

/** The namespaces a generated document declares, with their prefixes and schema locations. */
export const documentNamespaces = {
  cfdi: { uri: Namespaces.cfdi40, schema: 'http://www.sat.gob.mx/sitio_internet/cfd/4/cfdv40.xsd' },
  tfd: {
    uri: Namespaces.timbreFiscalDigital,
    schema: 'http://www.sat.gob.mx/sitio_internet/cfd/TimbreFiscalDigital/TimbreFiscalDigitalv11.xsd',
  },
} as const;
const xsi = 'http://www.w3.org/2001/XMLSchema-instance';

/** An element; attributes whose value is undefined are left out, in the order given. */
export function element(
  namespace: string,
  localName: string,
  attributes: Record<string, string | undefined> = {},
  children: TreeElement[] = [],
): TreeElement {
  const map = new Map<string, string>();
  for (const [name, value] of Object.entries(attributes)) if (value !== undefined) map.set(name, value);
  return { namespace, localName, path: '', attributes: map, children };
}

export function cfdiElement(
  localName: string,
  attributes: Record<string, string | undefined> = {},
  children: TreeElement[] = [],
): TreeElement {
  return element(Namespaces.cfdi40, localName, attributes, children);
}

/** Paths as the parser gives them (`/cfdi:Comprobante/cfdi:Conceptos/cfdi:Concepto[2]`). */
export function assignPaths(root: TreeElement, parentPath = ''): void {
  if (parentPath === '') root.path = `/${stepOf(root.namespace, root.localName)}`;
  const counts = new Map<string, number>();
  for (const child of root.children) {
    const step = stepOf(child.namespace, child.localName);
    counts.set(step, (counts.get(step) ?? 0) + 1);
  }
  const positions = new Map<string, number>();
  for (const child of root.children) {
    const step = stepOf(child.namespace, child.localName);
    const position = (positions.get(step) ?? 0) + 1;
    positions.set(step, position);
    child.path = `${root.path}/${step}${counts.get(step)! > 1 ? `[${position}]` : ''}`;
    assignPaths(child, root.path);
  }
}

export function cloneTree(root: TreeElement): TreeElement {
  return {
    namespace: root.namespace,
    localName: root.localName,
    path: root.path,
    attributes: new Map(root.attributes),
    children: root.children.map(cloneTree),
  };
}

/** The children of that CFDI name; for generator code that knows the document it made. */
export function cfdiChildren(parent: TreeElement, localName: string): TreeElement[] {
  return parent.children.filter(
    (child) => child.namespace === Namespaces.cfdi40 && child.localName === localName,
  );
}

/**
 * The document as SAT's tools write it: UTF-8 declaration, two-space indentation, `cfdi:` on the
 * root with xsi:schemaLocation, the stamp declaring `tfd:` on itself as PACs do. Elements of other
 * namespaces get a prefix of their own, declared where they are used.
 */
export function serializeDocument(root: TreeElement): string {
  const lines: string[] = ['<?xml version="1.0" encoding="UTF-8"?>'];
  writeElement(root, 0, lines, new Set());
  return `${lines.join('\n')}\n`;
}

const prefixes = new Map<string, string>([
  [Namespaces.cfdi40, 'cfdi'],
  [Namespaces.timbreFiscalDigital, 'tfd'],
  [Namespaces.impuestosLocales, 'implocal'],
  [Namespaces.pagos20, 'pago20'],
]);

function writeElement(
  node: TreeElement,
  depth: number,
  lines: string[],
  declared: ReadonlySet<string>,
): void {
  const prefix = prefixes.get(node.namespace) ?? 'ext';
  const name = `${prefix}:${node.localName}`;
  let declarations = '';
  let scope = declared;
  if (!declared.has(node.namespace)) {
    scope = new Set([...declared, node.namespace]);
    declarations = ` xmlns:${prefix}="${escapeAttribute(node.namespace)}"`;
    if (depth === 0)
      declarations += ` xmlns:xsi="${xsi}" xsi:schemaLocation="${documentNamespaces.cfdi.uri} ${documentNamespaces.cfdi.schema}"`;
    else if (node.namespace === Namespaces.timbreFiscalDigital)
      declarations += ` xsi:schemaLocation="${documentNamespaces.tfd.uri} ${documentNamespaces.tfd.schema}"`;
  }
  let attributes = '';
  for (const [attribute, value] of node.attributes) attributes += ` ${attribute}="${escapeAttribute(value)}"`;
  const indentation = '  '.repeat(depth);
  if (node.children.length === 0) {
    lines.push(`${indentation}<${name}${declarations}${attributes}/>`);
    return;
  }
  lines.push(`${indentation}<${name}${declarations}${attributes}>`);
  for (const child of node.children) writeElement(child, depth + 1, lines, scope);
  lines.push(`${indentation}</${name}>`);
}

// Tabs, newlines and carriage returns are written as references so attribute normalisation keeps them.
const special = /[&<>"\t\n\r]/g;
const replacements: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  '\t': '&#9;',
  '\n': '&#10;',
  '\r': '&#13;',
};

export function escapeAttribute(value: string): string {
  return value.replace(special, (character) => replacements[character]!);
}
