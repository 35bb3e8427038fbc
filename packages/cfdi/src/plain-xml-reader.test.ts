import { readdirSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cfdiMutations, generateCfdi, mutateCfdi, seededRandom } from './generator/index.js';
import { satTestCredentials } from './generator/testing/sat-test-credentials.js';
import { outlineMarkup } from './markup-outline.js';
import { defaultReadingLimits, parseDocument, parseWithGeneralParser } from './parse-document.js';
import { readPlainElementTree } from './plain-xml-reader.js';
import { fixtureText } from './testing/fixtures.js';
import type { XmlElement } from './xml-document.js';

/** Everything a tree says, attribute order included, as plain data to compare. */
function shapeOf(element: XmlElement): unknown {
  return {
    namespace: element.namespace,
    localName: element.localName,
    path: element.path,
    attributes: [...element.attributes],
    children: element.children.map(shapeOf),
  };
}

/**
 * Where the plain reader reads a document, the general parser (fast-xml-parser's validator and
 * parser, then buildElementTree) must accept it and build the same tree. Where it steps aside,
 * parseDocument uses the general parser, so nothing is to compare.
 */
function expectSameReading(text: string): boolean {
  const outline = outlineMarkup(text, defaultReadingLimits);
  if (outline.textOutsideRootAt !== undefined) return false;
  const plain = readPlainElementTree(text);
  if (!plain) return false;
  const general = parseWithGeneralParser(text, outline, defaultReadingLimits);
  expect(general, text.slice(0, 200)).toMatchObject({ ok: true });
  expect(shapeOf(plain)).toEqual(shapeOf((general as { root: XmlElement }).root));
  return true;
}

const fixtures = readdirSync(new URL('../../../fixtures/cfdi/', import.meta.url)).filter((name) =>
  name.endsWith('.xml'),
);
const credentials = satTestCredentials();
const now = new Date('2026-11-01T18:00:00Z');
const generated = Array.from({ length: 60 }, (_, seed) =>
  generateCfdi({
    random: seededRandom(seed),
    credentials,
    now,
    stamp: seed % 2 === 0 ? credentials : undefined,
  }),
);

describe('the plain XML reader', () => {
  it('reads every fixture and generated document as the general parser does', () => {
    const read = fixtures.filter((name) => expectSameReading(fixtureText(name).replace(/^\uFEFF/, '')));
    for (const { xml } of generated) expect(expectSameReading(xml)).toBe(true);
    // Real documents are plain: the general parser is the exception.
    expect(read.length).toBeGreaterThan((fixtures.length * 3) / 4);
  });

  it('reads every mutated document as the general parser does, or steps aside', () => {
    for (const [index, mutation] of cfdiMutations.entries()) {
      const source = generated[index % generated.length]!;
      const text = mutateCfdi(source, mutation, seededRandom(index));
      if (text !== undefined) expectSameReading(text);
    }
  });

  it.each([
    ['single quotes and spaces around =', `<a xmlns="urn:x" b = 'one' c="two"/>`],
    ['a declaration', `<?xml version="1.0" encoding="UTF-8"?>\r\n<a xmlns="urn:x"/>`],
    ['references in values', `<a xmlns="urn:x" b="&amp;&lt;&#x41;&#66;&quot;&apos;"/>`],
    ['whitespace in values', `<a xmlns="urn:x" b="one\ttwo\r\nthree\nfour\rfive"/>`],
    ['whitespace inside tags', `<a  xmlns="urn:x"\n\tb="1" ><c\n/></a>`],
    ['prefixed attributes', `<p:a xmlns:p="urn:p" xmlns:xsi="urn:xsi" xsi:b="1" xml:lang="es" c="2"/>`],
    ['an undeclared default namespace', `<a xmlns="urn:x"><b xmlns=""/></a>`],
    ['siblings of one name', `<a xmlns="urn:x"><b/><c/><b/></a>`],
    ['text between elements', `<a xmlns="urn:x">  text  <b>more</b>\n</a>`],
    ['names with dots and dashes', `<a.b-c xmlns="urn:x" d.e-f="1"/>`],
    ['names with Latin letters', `<a xmlns="urn:x" Año="2021" Antigüedad="P78W"/>`],
    [
      'comments',
      `<?xml version="1.0"?>\n<!-- before --><a xmlns="urn:x"><!-- <b/> & > --><c/></a>\n<!--after-->`,
    ],
  ])('reads %s as the general parser does', (_case, text) => {
    expect(expectSameReading(text)).toBe(true);
  });

  it.each([
    ['a comment holding --', `<a xmlns="urn:x"><!-- c -- d --></a>`],
    ['an unclosed comment', `<a xmlns="urn:x"><!-- c </a>`],
    ['CDATA', `<a xmlns="urn:x"><![CDATA[x]]></a>`],
    ['a processing instruction', `<a xmlns="urn:x"><?pi x?></a>`],
    ['a reference in text', `<a xmlns="urn:x">&amp;</a>`],
    ['an unknown entity', `<a xmlns="urn:x" b="&nbsp;"/>`],
    ['a bare ampersand', `<a xmlns="urn:x" b="x & y"/>`],
    ['< in a value', `<a xmlns="urn:x" b="x < y"/>`],
    ['> in a value', `<a xmlns="urn:x" b="x > y"/>`],
    ['a repeated attribute', `<a xmlns="urn:x" b="1" b="2"/>`],
    ['attributes without space between them', `<a xmlns="urn:x" b="1"c="2"/>`],
    ['an attribute without a value', `<a xmlns="urn:x" b/>`],
    ['an undeclared prefix', `<p:a/>`],
    ['a mismatched end tag', `<a xmlns="urn:x"><b></c></a>`],
    ['an end tag with space', `<a xmlns="urn:x"></a >`],
    ['an unclosed element', `<a xmlns="urn:x"><b>`],
    ['two roots', `<a xmlns="urn:x"/><b xmlns="urn:x"/>`],
    ['text before the root', `x<a xmlns="urn:x"/>`],
    ['a name with letters outside Latin', `<a xmlns="urn:x" данные="1"/>`],
    ['a name JavaScript objects reserve', `<a xmlns="urn:x" toString="1"/>`],
    ['a late declaration', `<a xmlns="urn:x"/><?xml version="1.0"?>`],
    ['a declaration of another kind', `<?xml-stylesheet href="x"?><a xmlns="urn:x"/>`],
  ])('steps aside for %s', (_case, text) => {
    expect(readPlainElementTree(text)).toBeUndefined();
  });

  it('never reads a damaged document differently from the general parser', () => {
    const plainFixtures = fixtures
      .map((name) => fixtureText(name).replace(/^\uFEFF/, ''))
      .filter((text) => readPlainElementTree(text) !== undefined);
    const base = fc.constantFrom(generated[1]!.xml, generated[2]!.xml, ...plainFixtures);
    const damage = fc.constantFrom(
      '<',
      '>',
      '"',
      "'",
      '&',
      ' ',
      '/',
      '=',
      ':',
      'a',
      '\n',
      ';',
      '#',
      '!',
      '?',
      '-',
    );
    const edit = fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.nat(2), damage);
    fc.assert(
      fc.property(base, fc.array(edit, { minLength: 1, maxLength: 3 }), (text, edits) => {
        let damaged = text;
        for (const [where, kind, character] of edits) {
          const at = Math.floor(where * (damaged.length - 1));
          if (kind === 0) damaged = damaged.slice(0, at) + character + damaged.slice(at);
          else if (kind === 1) damaged = damaged.slice(0, at) + damaged.slice(at + 1);
          else damaged = damaged.slice(0, at) + character + damaged.slice(at + 1);
        }
        expectSameReading(damaged);
      }),
      { numRuns: 3_000 },
    );
  });

  it('is what parseDocument reads a plain document with', () => {
    const { xml } = generated[0]!;
    const viaParseDocument = parseDocument(xml, defaultReadingLimits);
    expect(viaParseDocument.ok && shapeOf(viaParseDocument.root)).toEqual(
      shapeOf(readPlainElementTree(xml)!),
    );
  });
});
