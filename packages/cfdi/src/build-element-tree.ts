import { Namespaces } from './namespaces.js';
import { ParsedElement, stepOf, type XmlElement } from './xml-document.js';

/** fast-xml-parser's `preserveOrder` output: `{ [tag]: children, ':@': attributes }` or a text node. */
export type OrderedNode = Record<string, unknown>;

/** The document breaks an XML or namespace well-formedness rule the parser does not enforce. */
export class MalformedXml extends Error {}

export type Scope = ReadonlyMap<string, string>;

/** An element with its namespace resolved, before its path is known. */
export interface ResolvedElement {
  element: ParsedElement;
  /** Its path step, e.g. `cfdi:Concepto`; the position among same-named siblings is added later. */
  step: string;
  /** The prefixes in scope inside it. */
  scope: Scope;
}

interface Pending extends ResolvedElement {
  childNodes: readonly OrderedNode[];
}

export const initialScope: Scope = new Map([['xml', Namespaces.xml]]);
const predefinedEntities = new Map([
  ['amp', '&'],
  ['lt', '<'],
  ['gt', '>'],
  ['quot', '"'],
  ['apos', "'"],
]);
const reference = /&(#x[0-9A-Fa-f]+|#[0-9]+|[A-Za-z_][\w.-]*);/g;

/**
 * The element tree, namespaces resolved and paths assigned. Iterative: depth is bounded before
 * this runs, but an explicit stack keeps any limit a caller sets safe from stack overflow.
 */
export function buildElementTree(nodes: readonly OrderedNode[]): XmlElement {
  const rootNode = onlyRootElement(nodes);
  const rootName = tagNameOf(rootNode)!;
  const root: Pending = {
    ...resolveElement(rootName, attributesOf(rootNode), initialScope, ''),
    childNodes: childNodesOf(rootNode, rootName),
  };
  root.element.path = `/${root.step}`;
  const pending = [root];
  for (let parent = pending.pop(); parent !== undefined; parent = pending.pop()) {
    const children: Pending[] = [];
    for (const node of parent.childNodes) {
      const tagName = tagNameOf(node);
      if (tagName === undefined) checkCharacterData(node, parent.element.path);
      else
        children.push({
          ...resolveElement(tagName, attributesOf(node), parent.scope, parent.element.path),
          childNodes: childNodesOf(node, tagName),
        });
    }
    placeChildren(parent.element, children);
    pending.push(...children);
  }
  return root.element;
}

/**
 * Gives each child its path (`[n]` only where siblings share a step) and its place under `parent`,
 * in order.
 */
export function placeChildren(parent: ParsedElement, children: readonly ResolvedElement[]): void {
  if (children.length > 1) {
    const stepCounts = new Map<string, number>();
    for (const child of children) stepCounts.set(child.step, (stepCounts.get(child.step) ?? 0) + 1);
    const positions = new Map<string, number>();
    for (const child of children) {
      const position = (positions.get(child.step) ?? 0) + 1;
      positions.set(child.step, position);
      const index = stepCounts.get(child.step)! > 1 ? `[${position}]` : '';
      child.element.path = `${parent.path}/${child.step}${index}`;
      parent.children.push(child.element);
    }
  } else
    for (const child of children) {
      child.element.path = `${parent.path}/${child.step}`;
      parent.children.push(child.element);
    }
}

// Text outside the root is dropped by the parser; markup-outline finds it before this runs.
function onlyRootElement(nodes: readonly OrderedNode[]): OrderedNode {
  const elements = nodes.filter((node) => tagNameOf(node) !== undefined);
  if (elements.length !== 1)
    throw new MalformedXml(
      elements.length === 0
        ? 'the document has no root element'
        : 'the document has more than one root element',
    );
  return elements[0]!;
}

function tagNameOf(node: OrderedNode): string | undefined {
  return Object.keys(node).find((key) => key !== ':@' && key !== '#text' && key !== '#cdata');
}

function attributesOf(node: OrderedNode): string[] {
  return Object.entries((node[':@'] ?? {}) as Record<string, string>).flat();
}

function childNodesOf(node: OrderedNode, tagName: string): readonly OrderedNode[] {
  return (node[tagName] ?? []) as OrderedNode[];
}

/**
 * An element's namespace and attributes, given its qualified name and its raw attributes in document
 * order, each name followed by its value (`[name, value, name, value, ...]`): the namespace
 * declarations among them apply to it, and every other value is decoded. A name given twice is
 * malformed XML.
 */
export function resolveElement(
  tagName: string,
  rawAttributes: readonly string[],
  parentScope: Scope,
  parentPath: string,
): ResolvedElement {
  const scope = declareNamespaces(rawAttributes, parentScope, tagName);
  const [prefix, localName] = splitName(tagName);
  const namespace = prefix === '' ? (scope.get('') ?? null) : scope.get(prefix);
  if (namespace === undefined)
    throw new MalformedXml(
      `element <${tagName}> under ${parentPath || '/'} uses an undeclared prefix "${prefix}"`,
    );

  const attributes = new Map<string, string>();
  // Namespace declarations and prefixed attributes, a few at most, which the map does not keep.
  let others: string[] | undefined;
  for (let index = 0; index < rawAttributes.length; index += 2) {
    const name = rawAttributes[index]!;
    const raw = rawAttributes[index + 1]!;
    const colon = name.indexOf(':');
    if (colon === -1 && name !== 'xmlns') {
      if (attributes.has(name)) throw new MalformedXml(`${attributeWhere(name, tagName)} is repeated`);
      attributes.set(name, decodeAttributeValue(raw, name, tagName));
      continue;
    }
    if (!others) others = [name];
    else if (others.includes(name)) throw new MalformedXml(`${attributeWhere(name, tagName)} is repeated`);
    else others.push(name);
    if (name === 'xmlns' || name.startsWith('xmlns:')) continue;
    // Prefixed attributes (xsi:schemaLocation) carry nothing CFDI reads; their prefix must still be bound.
    const attributePrefix = name.slice(0, colon);
    if (!scope.has(attributePrefix))
      throw new MalformedXml(
        `${attributeWhere(name, tagName)} uses an undeclared prefix "${attributePrefix}"`,
      );
    decodeAttributeValue(raw, name, tagName);
  }
  const element = new ParsedElement(namespace, localName, attributes);
  return { element, step: stepOf(namespace, localName, prefix), scope };
}

function declareNamespaces(attributes: readonly string[], parentScope: Scope, tagName: string): Scope {
  let scope: Map<string, string> | undefined;
  for (let index = 0; index < attributes.length; index += 2) {
    const name = attributes[index]!;
    if (name !== 'xmlns' && !name.startsWith('xmlns:')) continue;
    const value = attributes[index + 1]!;
    const prefix = name === 'xmlns' ? '' : name.slice('xmlns:'.length);
    if (prefix !== '' && value === '')
      throw new MalformedXml(`<${tagName}> declares prefix "${prefix}" with an empty namespace name`);
    scope ??= new Map(parentScope);
    if (value === '') scope.delete('');
    else scope.set(prefix, decodeAttributeValue(value, name, tagName));
  }
  return scope ?? parentScope;
}

function splitName(name: string): [prefix: string, localName: string] {
  const colon = name.indexOf(':');
  return colon === -1 ? ['', name] : [name.slice(0, colon), name.slice(colon + 1)];
}

/** An attribute value as XML defines it: whitespace normalised, the predefined and character references decoded. */
function decodeAttributeValue(raw: string, name: string, tagName: string): string {
  // Nearly every value holds none of what decoding changes or refuses: one pass finds out.
  if (isWrittenAsIs(raw)) return raw;
  if (raw.includes('<'))
    throw new MalformedXml(`${attributeWhere(name, tagName)} contains "<", which must be written &lt;`);
  const normalised = lineBreakOrTab.test(raw) ? raw.replace(/\r\n|[\t\n\r]/g, ' ') : raw;
  return normalised.includes('&') ? decodeReferences(normalised, attributeWhere(name, tagName)) : normalised;
}

const lineBreakOrTab = /[\t\n\r]/;
const decodingNeeded = /[<&\t\n\r]/;

/** Whether a raw value holds no `<`, `&`, tab, line feed or carriage return. */
function isWrittenAsIs(raw: string): boolean {
  // A regular expression costs more to start than a short loop, and scans a long value faster.
  if (raw.length > 32) return !decodingNeeded.test(raw);
  for (let index = 0; index < raw.length; index++) {
    const code = raw.charCodeAt(index);
    // `<` is 0x3c, `&` 0x26, the whitespace 0x09, 0x0a and 0x0d: all below `=`.
    if (code < 0x3d && (code === 0x3c || code === 0x26 || code === 0x09 || code === 0x0a || code === 0x0d))
      return false;
  }
  return true;
}

/** How messages name an attribute; made only for a message, not for every attribute read. */
function attributeWhere(name: string, tagName: string): string {
  return `attribute ${name} of <${tagName}>`;
}

// Text is never read by the rules, but a bad reference in it still makes the document malformed.
function checkCharacterData(node: OrderedNode, parentPath: string): void {
  const text = node['#text'];
  if (typeof text === 'string') decodeReferences(text, `text in ${parentPath}`);
}

// Entity processing is off in the parser, so nothing is ever expanded; only the five predefined
// entities and character references exist without a DTD, and any other name is an error.
function decodeReferences(raw: string, where: string): string {
  if (!raw.includes('&')) return raw;
  if (raw.replace(reference, '').includes('&'))
    throw new MalformedXml(`${where} contains a bare "&", which must be written &amp;`);
  return raw.replace(reference, (_match, body: string) => {
    if (!body.startsWith('#')) {
      const character = predefinedEntities.get(body);
      if (character === undefined)
        throw new MalformedXml(`${where} refers to the undeclared entity &${body};`);
      return character;
    }
    const codePoint = body.startsWith('#x')
      ? Number.parseInt(body.slice(2), 16)
      : Number.parseInt(body.slice(1), 10);
    if (!isXmlCharacter(codePoint))
      throw new MalformedXml(`${where} refers to &${body};, which is not an XML character`);
    return String.fromCodePoint(codePoint);
  });
}

function isXmlCharacter(codePoint: number): boolean {
  return (
    codePoint === 0x9 ||
    codePoint === 0xa ||
    codePoint === 0xd ||
    (codePoint >= 0x20 && codePoint <= 0xd7ff) ||
    (codePoint >= 0xe000 && codePoint <= 0xfffd) ||
    (codePoint >= 0x10000 && codePoint <= 0x10ffff)
  );
}
