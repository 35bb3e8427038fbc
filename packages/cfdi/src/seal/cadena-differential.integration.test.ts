import { describe, expect, it } from 'vitest';
import { defaultReadingLimits, parseDocument } from '../parse-document.js';
import { findStamp } from '../stamp.js';
import { fixtureBytes, fixtureText } from '../testing/fixtures.js';
import type { XmlElement } from '../xml-document.js';
import { buildCadenaOriginal, buildStampCadena } from './cadena-original.js';
import { complementTemplates } from './complements/index.js';
import { comprobante40 } from './comprobante-40.js';
import {
  cfdi40FixtureNames,
  extractStampDocument,
  fixturePath,
  satCadenaOriginal,
  satStampCadena,
  xsltprocAvailable,
} from './testing/sat-xslt.js';
import { type Filling, syntheticDocument } from './testing/synthetic-documents.js';

// SAT's XSLT run by xsltproc is the oracle; the builder must agree with it byte for byte.
const available = xsltprocAvailable();

function parsed(document: Uint8Array | string): XmlElement {
  const result = parseDocument(document, defaultReadingLimits);
  if (!result.ok) throw new Error(result.problem.message);
  return result.root;
}

function builtCadena(root: XmlElement): string {
  const result = buildCadenaOriginal(root);
  if (!result.ok) throw new Error(`${result.problem.code}: ${result.problem.message}`);
  return result.cadena;
}

const fixtures = cfdi40FixtureNames();

describe.skipIf(!available)('the cadena original matches SAT XSLT run by xsltproc', () => {
  it('covers every CFDI 4.0 fixture SOURCES.md lists', () => {
    expect(fixtures).toHaveLength(27);
  });

  it.each(fixtures)('%s', (name) => {
    const root = parsed(fixtureBytes(name));
    expect(builtCadena(root)).toBe(satCadenaOriginal({ file: fixturePath(name) }));
  });

  const stamped = fixtures.filter((name) => extractStampDocument(fixtureText(name)) !== undefined);

  it('finds the stamped fixtures', () => {
    expect(stamped.length).toBeGreaterThanOrEqual(5);
  });

  it.each(stamped)('the TimbreFiscalDigital of %s', (name) => {
    const stamp = findStamp(parsed(fixtureBytes(name)));
    expect(stamp).toBeDefined();
    expect(buildStampCadena(stamp!)).toBe(satStampCadena(extractStampDocument(fixtureText(name))!));
  });

  const fillings: Filling[] = ['every', 'none', 'alternate'];
  const cases = [comprobante40, ...complementTemplates].flatMap((set) =>
    fillings.map((filling) => ({ source: set.source, set, filling })),
  );

  it.each(cases)('a synthetic document for $source with $filling attribute set', ({ set, filling }) => {
    const document = syntheticDocument(set, filling);
    const cadena = builtCadena(parsed(document));
    expect(cadena).toBe(satCadenaOriginal({ text: document }));
    // A document the rules barely touched would prove nothing.
    expect(cadena.split('|').length).toBeGreaterThan(filling === 'every' ? 6 : 3);
  });
});
