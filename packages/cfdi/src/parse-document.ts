import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { buildElementTree, MalformedXml, type OrderedNode } from './build-element-tree.js';
import { readDocumentText } from './document-text.js';
import { lineAt, type MarkupOutline, outlineMarkup } from './markup-outline.js';
import { readPlainElementTree } from './plain-xml-reader.js';
import { type CfdiProblem, CfdiProblemCodes, cfdiProblem, shortened } from './problems.js';
import type { XmlElement } from './xml-document.js';
import { checkXmlSafety, refuseDtd } from './xml-safety.js';

export interface ReadingLimits {
  maxBytes: number;
  maxDepth: number;
  /** A real CFDI of 5 MiB has some 40,000 elements; a hostile one of tiny elements, over a million. */
  maxElements: number;
}

export const defaultReadingLimits: ReadingLimits = {
  maxBytes: 5 * 1024 * 1024,
  maxDepth: 64,
  maxElements: 200_000,
};

// XML 1.0 (§2.2 Char) allows TAB, LF and CR of the C0 controls, none of the rest; the parser does
// not check, and the values would reach problem messages and stored metadata. NUL is refused earlier.
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding them is the point
const forbiddenControl = /[\u0001-\u0008\u000b\u000c\u000e-\u001f]/;

export type ParsedDocument = { ok: true; root: XmlElement } | { ok: false; problem: CfdiProblem };

/**
 * The document's element tree, or the one problem that stops it being read. The cheap checks (size,
 * encoding, DTD, depth, element count) run on the text before any parser sees it; the plain reader
 * keeps the limits on depth and element count itself.
 */
export function parseDocument(document: Uint8Array | string, limits: ReadingLimits): ParsedDocument {
  const decoded = readDocumentText(document, limits.maxBytes);
  if (!decoded.ok) return decoded;
  const { text } = decoded;
  const control = forbiddenControl.exec(text);
  if (control)
    return malformed(
      `line ${lineAt(text, control.index)}: U+${control[0].charCodeAt(0).toString(16).padStart(4, '0').toUpperCase()} is not a character XML allows`,
    );
  const doctype = refuseDtd(text);
  if (doctype) return { ok: false, problem: doctype };
  // Most documents are written plainly enough to be read without the general parser, in one pass that
  // also keeps the limits: a document it reads is one the outline would find nothing wrong with.
  const root = readPlainElementTree(text, limits);
  if (root) return { ok: true, root };
  const outline = outlineMarkup(text, limits);
  const unsafe = checkXmlSafety(text, outline, limits);
  if (unsafe) return { ok: false, problem: unsafe };
  return parseWithGeneralParser(text, outline, limits);
}

/**
 * What fast-xml-parser makes of a document that passed the cheap checks: its validator's verdict on
 * well-formedness, then the tree its parser reads. Every document parseDocument's plain reader leaves
 * alone comes here, and any verdict of malformed markup is this one's.
 */
export function parseWithGeneralParser(
  text: string,
  outline: MarkupOutline,
  limits: ReadingLimits,
): ParsedDocument {
  const validation = XMLValidator.validate(text);
  if (validation !== true) {
    const { line, col, msg } = validation.err;
    return malformed(`line ${line}${col === undefined ? '' : `, column ${col}`}: ${msg}`);
  }
  if (outline.textOutsideRootAt !== undefined)
    return malformed(
      `line ${lineAt(text, outline.textOutsideRootAt)}: text is not allowed outside the root element`,
    );
  try {
    const nodes: unknown = parserFor(limits.maxDepth).parse(text);
    if (!Array.isArray(nodes)) return malformed('the parser returned no elements');
    return { ok: true, root: buildElementTree(nodes as OrderedNode[]) };
  } catch (error) {
    if (error instanceof MalformedXml) return malformed(error.message);
    // The parser throws plain errors for the few things the validator lets through.
    if (error instanceof Error) return malformed(error.message);
    throw error;
  }
}

// Building a parser resolves all its options; one per depth limit serves every document.
const parsers = new Map<number, XMLParser>();

function parserFor(maxDepth: number): XMLParser {
  let parser = parsers.get(maxDepth);
  if (!parser) {
    parser = createParser(maxDepth);
    parsers.set(maxDepth, parser);
  }
  return parser;
}

function createParser(maxDepth: number): XMLParser {
  return new XMLParser({
    preserveOrder: true,
    ignoreAttributes: false,
    attributeNamePrefix: '',
    parseTagValue: false,
    parseAttributeValue: false,
    trimValues: false,
    // Second line of defence behind the DTD refusal: the parser expands nothing; the five predefined
    // entities and character references are decoded by buildElementTree.
    processEntities: false,
    htmlEntities: false,
    ignoreDeclaration: true,
    ignorePiTags: true,
    cdataPropName: '#cdata',
    maxNestedTags: maxDepth,
  });
}

// The validator and the tree builder quote the offending markup, which hostile input can make huge.
function malformed(message: string): ParsedDocument {
  return { ok: false, problem: cfdiProblem(CfdiProblemCodes.xmlMalformed, '/', shortened(message, 300)) };
}
