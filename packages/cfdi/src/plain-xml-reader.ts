import {
  initialScope,
  MalformedXml,
  placeChildren,
  type ResolvedElement,
  resolveElement,
} from './build-element-tree.js';
import type { OutlineLimits } from './markup-outline.js';
import type { XmlElement } from './xml-document.js';

const lessThan = 0x3c;
const greaterThan = 0x3e;
const slash = 0x2f;
const equals = 0x3d;
const doubleQuote = 0x22;
const singleQuote = 0x27;
const colon = 0x3a;
const ampersand = 0x26;
const exclamation = 0x21;

// Names fast-xml-parser refuses or renames (they would pollute or shadow object properties): such a
// document is left to it, so what it does with them stays the verdict.
const namesTheParserTreatsApart = new Set([
  '__proto__',
  'constructor',
  'prototype',
  'hasOwnProperty',
  'toString',
  'valueOf',
  '__defineGetter__',
  '__defineSetter__',
  '__lookupGetter__',
  '__lookupSetter__',
]);

const unlimited: OutlineLimits = {
  maxDepth: Number.POSITIVE_INFINITY,
  maxElements: Number.POSITIVE_INFINITY,
};

/** An element whose children are still being read, then whose children get their paths. */
interface Family {
  tagName: string;
  parent: ResolvedElement;
  children: ResolvedElement[];
}

/**
 * The element tree of a document written the plain way CFDI are written (an optional XML declaration,
 * then elements with quoted attributes, whitespace between them), read in one pass over the text
 * instead of by fast-xml-parser's validator, its parser and buildElementTree, which together cost
 * several times as much (comments are skipped). Undefined as soon as the document strays from that
 * form: CDATA, a processing instruction, a reference in text, an unusual name, `>` in a value, anything
 * malformed; parseDocument then reads it with the general parser, which keeps the verdict and its
 * messages. Namespaces, attribute values and paths go through the same code as buildElementTree's,
 * and plain-xml-reader.test.ts checks that both build the same tree wherever this one reads. With
 * `limits`, a document nested deeper or holding more elements than they allow is left alone too.
 */
export function readPlainElementTree(
  text: string,
  limits: OutlineLimits = unlimited,
): XmlElement | undefined {
  try {
    return read(text, limits);
  } catch (error) {
    // An undeclared prefix or a bad reference: the general parser names it.
    if (error instanceof MalformedXml) return undefined;
    throw error;
  }
}

function read(text: string, { maxDepth, maxElements }: OutlineLimits): XmlElement | undefined {
  const length = text.length;
  let elements = 0;
  let at = skipDeclaration(text);
  if (at === -1) return undefined;
  at = skipSpace(text, at);
  let root: ResolvedElement | undefined;
  // Families in the order of their start tags, so each parent's path is known before its children's.
  const families: Family[] = [];
  const open: Family[] = [];

  while (at < length) {
    if (text.charCodeAt(at) !== lessThan) return undefined;
    const second = text.charCodeAt(at + 1);
    if (second === exclamation) {
      // A comment, which neither reader keeps; one holding `--` (not XML) is left to the parser.
      if (!text.startsWith('<!--', at)) return undefined;
      const end = text.indexOf('--', at + 4);
      if (end === -1 || text.charCodeAt(end + 2) !== greaterThan) return undefined;
      at = end + 3;
    } else if (second === slash) {
      const closing = open.pop();
      if (!closing) return undefined;
      const nameEnd = at + 2 + closing.tagName.length;
      if (!text.startsWith(closing.tagName, at + 2) || text.charCodeAt(nameEnd) !== greaterThan)
        return undefined;
      at = nameEnd + 1;
    } else {
      if (root && open.length === 0) return undefined;
      // Past a limit, outlineMarkup finds where, for checkXmlSafety's verdict.
      if (open.length >= maxDepth || ++elements > maxElements) return undefined;
      const nameEnd = nameEndAt(text, at + 1);
      if (nameEnd === -1) return undefined;
      const tagName = text.slice(at + 1, nameEnd);
      if (mayBeTreatedApart(second) && namesTheParserTreatsApart.has(tagName)) return undefined;
      // Each name followed by its value; resolveElement refuses a name given twice.
      const attributes: string[] = [];
      let selfClosing = false;
      at = nameEnd;
      // A value holding `>` is left to fast-xml-parser, which reads it its own way; in a tag this
      // reader reads, the first `>` ends it.
      const tagEnd = text.indexOf('>', at);
      for (;;) {
        const code = text.charCodeAt(at);
        if (code === greaterThan) {
          at += 1;
          break;
        }
        if (code === slash) {
          if (text.charCodeAt(at + 1) !== greaterThan) return undefined;
          selfClosing = true;
          at += 2;
          break;
        }
        // An attribute, or the end of the tag, comes after whitespace.
        if (!isSpace(code)) return undefined;
        at = skipSpace(text, at);
        const next = text.charCodeAt(at);
        if (next === greaterThan || next === slash) continue;
        const attributeEnd = nameEndAt(text, at);
        if (attributeEnd === -1) return undefined;
        const name = text.slice(at, attributeEnd);
        if (mayBeTreatedApart(next) && namesTheParserTreatsApart.has(name)) return undefined;
        at = skipSpace(text, attributeEnd);
        if (text.charCodeAt(at) !== equals) return undefined;
        at = skipSpace(text, at + 1);
        const quote = text.charCodeAt(at);
        if (quote !== doubleQuote && quote !== singleQuote) return undefined;
        const close = text.indexOf(quote === doubleQuote ? '"' : "'", at + 1);
        if (close === -1 || close > tagEnd) return undefined;
        attributes.push(name, text.slice(at + 1, close));
        at = close + 1;
      }
      const parent = open.length === 0 ? undefined : open[open.length - 1]!;
      const resolved = resolveElement(tagName, attributes, parent ? parent.parent.scope : initialScope, '');
      const family: Family = { tagName, parent: resolved, children: [] };
      families.push(family);
      if (parent) parent.children.push(resolved);
      else {
        root = resolved;
        resolved.element.path = `/${resolved.step}`;
      }
      if (!selfClosing) open.push(family);
    }
    // Up to the next tag: blank outside the root, and inside it text without references.
    const next = text.indexOf('<', at);
    const end = next === -1 ? length : next;
    if (open.length === 0) {
      if (skipSpace(text, at) < end) return undefined;
    } else
      for (let index = at; index < end; index++) if (text.charCodeAt(index) === ampersand) return undefined;
    at = end;
  }
  if (!root || open.length > 0) return undefined;
  for (const { parent, children } of families) placeChildren(parent.element, children);
  return root.element;
}

// Every name fast-xml-parser treats apart starts with a lower-case letter or `_`; CFDI names rarely do.
function mayBeTreatedApart(firstCode: number): boolean {
  return firstCode === 0x5f || (firstCode >= 0x61 && firstCode <= 0x7a);
}

// XML 1.0's XMLDecl, written the usual way: version, then optionally encoding and standalone.
const xmlDeclaration =
  /^<\?xml[ \t\r\n]+version[ \t\r\n]*=[ \t\r\n]*(?:"1\.[0-9]+"|'1\.[0-9]+')(?:[ \t\r\n]+encoding[ \t\r\n]*=[ \t\r\n]*(?:"[A-Za-z][\w.-]*"|'[A-Za-z][\w.-]*'))?(?:[ \t\r\n]+standalone[ \t\r\n]*=[ \t\r\n]*(?:"(?:yes|no)"|'(?:yes|no)'))?[ \t\r\n]*\?>/;

/** Past the XML declaration at the very start (0 when there is none), or -1 for one this reader leaves alone. */
function skipDeclaration(text: string): number {
  if (!text.startsWith('<?')) return 0;
  const declaration = xmlDeclaration.exec(text);
  return declaration ? declaration[0].length : -1;
}

/**
 * Where a name starting at `at` ends: letters (ASCII, and Latin ones such as the ñ of `Año` or the ü
 * of `Antigüedad`), digits, `_ . -`, and at most one `prefix:`. XML allows more; this reader leaves
 * those names to the general parser.
 */
function nameEndAt(text: string, at: number): number {
  if (!isNameStart(text.charCodeAt(at))) return -1;
  let prefixed = false;
  for (let index = at + 1; ; index++) {
    const code = text.charCodeAt(index);
    if (isNameStart(code) || (code >= 0x30 && code <= 0x39) || code === 0x2e || code === 0x2d) continue;
    if (code === colon && !prefixed && isNameStart(text.charCodeAt(index + 1))) {
      prefixed = true;
      continue;
    }
    return index;
  }
}

function isNameStart(code: number): boolean {
  if (code < 0x80) return (code >= 0x61 && code <= 0x7a) || (code >= 0x41 && code <= 0x5a) || code === 0x5f;
  // Latin-1 and Latin Extended letters, which XML and fast-xml-parser's validator both take in names.
  return code >= 0xc0 && code <= 0x2ff && code !== 0xd7 && code !== 0xf7;
}

function isSpace(code: number): boolean {
  return code === 0x20 || code === 0x0a || code === 0x0d || code === 0x09;
}

function skipSpace(text: string, from: number): number {
  let at = from;
  while (isSpace(text.charCodeAt(at))) at++;
  return at;
}
