import { Buffer } from 'node:buffer';
import { describe, expect, it } from 'vitest';
import { CfdiProblemCodes, validateCfdi } from './index.js';
import { defaultReadingLimits, parseDocument } from './parse-document.js';
import { fixtureBytes, fixtureText, replaceOnce } from './testing/fixtures.js';
import { bundledCatalogs } from './testing/references.js';

const valid = fixtureText('cfdiutils-cfdi40-valid.xml');
const billionLaughs = `<?xml version="1.0"?>
<!DOCTYPE lolz [
  <!ENTITY lol "lol">
  <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
  <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<lolz>&lol9;</lolz>`;

/** The one problem that stopped the reading. */
function rejection(document: Uint8Array | string, options = {}) {
  const verdict = validateCfdi(document, options);
  expect(verdict).toMatchObject({ outcome: 'invalid', version: null, metadata: null });
  expect(verdict.problems).toHaveLength(1);
  return verdict.problems[0]!;
}

describe('reading a document safely', () => {
  it.each([
    ['an external entity (XXE)', '<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><x>&xxe;</x>'],
    ['nested entities (billion laughs)', billionLaughs],
    ['a lower-case doctype', '<!doctype x><x/>'],
    ['an odd-case doctype', '<?xml version="1.0"?>\n<!DocType x SYSTEM "http://attacker.example/x.dtd"><x/>'],
    ['an entity declaration without a doctype', '<x><!ENTITY a "b"></x>'],
    [
      'a doctype before a valid CFDI',
      replaceOnce(valid, '<cfdi:Comprobante', '<!DOCTYPE cfdi:Comprobante>\n<cfdi:Comprobante'),
    ],
  ])('refuses %s before parsing, expanding nothing', (_case, document) => {
    const problem = rejection(document);
    expect(problem.code).toBe(CfdiProblemCodes.xmlDoctypeForbidden);
  });

  it('refuses a document nested 10,000 levels deep', () => {
    const problem = rejection(`${'<a>'.repeat(10_000)}${'</a>'.repeat(10_000)}`);
    expect(problem.code).toBe(CfdiProblemCodes.xmlTooDeep);
    expect(problem.message).toContain('64');
  });

  it.each([
    ['an attribute value', 'Rfc="EKU9003173C9"', 'Rfc="EKU9003173C9\u0001"', 'U+0001'],
    ['text between elements', '<cfdi:Emisor', '\u001b<cfdi:Emisor', 'U+001B'],
  ])('refuses a control character XML does not allow in %s', (_case, search, replacement, named) => {
    const problem = rejection(replaceOnce(valid, search, replacement));
    expect(problem.code).toBe(CfdiProblemCodes.xmlMalformed);
    expect(problem.message).toContain(named);
  });

  it('refuses a document of more elements than allowed before parsing, whatever its size in bytes', () => {
    const many = (count: number) =>
      `<cfdi:Comprobante xmlns:cfdi="http://www.sat.gob.mx/cfd/4" Version="4.0">${'<x/>'.repeat(count)}</cfdi:Comprobante>`;
    const problem = rejection(many(250_000));
    expect(problem).toMatchObject({ code: CfdiProblemCodes.xmlTooManyElements, path: '/' });
    expect(problem.message).toContain('200000');
    expect(rejection(many(10), { maxElements: 10 }).code).toBe(CfdiProblemCodes.xmlTooManyElements);
    expect(validateCfdi(many(9), { maxElements: 10 }).problems[0]!.code).not.toBe(
      CfdiProblemCodes.xmlTooManyElements,
    );
  });

  it('counts depth by elements, not by comments, CDATA or quoted ">"', () => {
    const nested = `${'<a x=">">'.repeat(3)}<!-- <b><b><b> --><![CDATA[<c><c>]]><d/>${'</a>'.repeat(3)}`;
    expect(validateCfdi(nested, { maxDepth: 4 }).problems[0]!.code).toBe(
      CfdiProblemCodes.unsupportedDocument,
    );
    expect(validateCfdi(nested, { maxDepth: 3 }).problems[0]!.code).toBe(CfdiProblemCodes.xmlTooDeep);
  });

  it.each([
    ['bytes', fixtureBytes('cfdiutils-cfdi40-valid.xml')],
    ['a string', valid],
  ])('refuses %s over the size limit', (_case, document) => {
    const problem = rejection(document, { maxBytes: 4096 });
    expect(problem.code).toBe(CfdiProblemCodes.documentTooLarge);
    expect(problem.message).toContain('4096');
  });

  it('refuses a document over the default 5 MiB', () => {
    const problem = rejection(`<x>${' '.repeat(5 * 1024 * 1024)}</x>`);
    expect(problem.code).toBe(CfdiProblemCodes.documentTooLarge);
  });

  it('measures a string by its UTF-8 bytes', () => {
    const document = `<x>${'ñ'.repeat(600)}</x>`; // 607 characters, 1,207 bytes
    expect(rejection(document, { maxBytes: 1000 }).code).toBe(CfdiProblemCodes.documentTooLarge);
  });

  it.each([
    [
      'invalid UTF-8 bytes',
      Buffer.concat([Buffer.from('<x a="'), Buffer.from([0xc3, 0x28]), Buffer.from('"/>')]),
    ],
    ['Latin-1 bytes', Buffer.from('<x a="Peña"/>', 'latin1')],
    ['a UTF-16 encoding declaration', '<?xml version="1.0" encoding="UTF-16"?>\n<x/>'],
    ['an ISO-8859-1 encoding declaration', "<?xml version='1.0' encoding='ISO-8859-1'?><x/>"],
    ['UTF-16 bytes with a byte order mark', Buffer.from('\uFEFF<?xml version="1.0"?><x/>', 'utf16le')],
    ['UTF-16 bytes without a byte order mark', Buffer.from('<?xml version="1.0"?><x/>', 'utf16le')],
    ['an unpaired surrogate in a string', '<x a="\uD800"/>'],
  ])('refuses %s as an unsupported encoding', (_case, document) => {
    expect(rejection(document).code).toBe(CfdiProblemCodes.unsupportedEncoding);
  });

  it('reads UTF-8 with or without a byte order mark, from bytes or a string', () => {
    const withBom = Buffer.concat([
      Buffer.from([0xef, 0xbb, 0xbf]),
      fixtureBytes('cfdiutils-cfdi40-valid.xml'),
    ]);
    expect(validateCfdi(withBom).outcome).toBe('valid');
    expect(validateCfdi(`\uFEFF${valid}`).outcome).toBe('valid');
    expect(validateCfdi(valid.replace('encoding="utf-8"', 'encoding="UTF-8"')).outcome).toBe('valid');
  });

  it.each([
    ['a mismatched end tag', '<a><b></a>', /line 1.*closing tag/],
    ['an unclosed element', '<a>', /Unclosed tag 'a'/],
    ['a repeated attribute', '<a x="1" x="2"/>', /repeated/],
    ['an attribute without quotes', '<a x=1/>', /without value/],
    ['two root elements', '<a/><b/>', /more than one root/],
    ['text after the root element', '<a/>text', /outside the root/],
    ['no element at all', '<!-- nothing -->', /root element|Start tag/],
    ['an undeclared element prefix', '<x:a/>', /undeclared prefix "x"/],
    ['an undeclared attribute prefix', '<a y:b="1"/>', /undeclared prefix "y"/],
    ['an undeclared entity in an attribute', '<a b="&nbsp;"/>', /undeclared entity &nbsp;/],
    ['an undeclared entity in text', '<a>&foo;</a>', /undeclared entity &foo;/],
    ['a bare ampersand', '<a b="R&D"/>', /bare "&"/],
    ['"<" in an attribute', '<a b="<"/>', /must be written &lt;/],
    ['a reference to a character XML forbids', '<a b="&#0;"/>', /not an XML character/],
  ])('reports %s as malformed XML with a useful message', (_case, document, message) => {
    const problem = rejection(document);
    expect(problem.code).toBe(CfdiProblemCodes.xmlMalformed);
    expect(problem.message).toMatch(message);
  });

  it.each([
    ['a huge invalid tag name', '<'.repeat(100_000)],
    ['a huge undeclared prefix', `<${'p'.repeat(100_000)}:a/>`],
    ['a huge root namespace', `<a xmlns="urn:${'n'.repeat(100_000)}"/>`],
  ])('keeps the message short for %s', (_case, document) => {
    const [problem] = validateCfdi(document).problems;
    expect(problem!.message.length).toBeLessThanOrEqual(400);
  });

  it('decodes the predefined entities and character references in attribute values', () => {
    // The Addenda takes any element, so the entities need no CFDI attribute that allows them.
    const note = '<x:Note xmlns:x="urn:example:note" Text="A&amp;B &lt;&gt; &quot;&apos; &#xD1;&#241;"/>';
    let document = replaceOnce(valid, 'Rfc="MCI7306249Y1"', 'Rfc="&#x4D;CI7306249Y1"');
    document = replaceOnce(
      document,
      '</cfdi:Comprobante>',
      `<cfdi:Addenda>${note}</cfdi:Addenda></cfdi:Comprobante>`,
    );
    const verdict = validateCfdi(document);
    expect(verdict.outcome).toBe('valid');
    expect(verdict.metadata?.receiver).toBe('MCI7306249Y1');
    const parsed = parseDocument(document, defaultReadingLimits);
    const addenda = parsed.ok ? parsed.root.children.at(-1) : undefined;
    expect(addenda?.children[0]?.attributes.get('Text')).toBe('A&B <> "\' Ññ');
  });

  it('ignores comments and processing instructions', () => {
    let document = replaceOnce(
      valid,
      '<cfdi:Emisor',
      '<!-- emisor <cfdi:Emisor/> --><?app hint="x"?>\n  <cfdi:Emisor',
    );
    document = replaceOnce(
      document,
      '</cfdi:Comprobante>',
      '</cfdi:Comprobante>\n<!-- trailing -->\n<?app end?>\n',
    );
    expect(validateCfdi(document)).toEqual(validateCfdi(valid));
  });
});

describe('resolving elements by namespace', () => {
  it('reads a document with another prefix exactly as with cfdi:, and names paths with cfdi:', () => {
    const renamed = valid.replaceAll('cfdi:', 'x:').replace('xmlns:cfdi=', 'xmlns:x=');
    expect(renamed).toContain('<x:Comprobante xmlns:x="http://www.sat.gob.mx/cfd/4"');
    expect(validateCfdi(renamed)).toEqual(validateCfdi(valid));

    // The seal is left out: any changed value breaks it, and this test is about the sums.
    const broken = replaceOnce(renamed, ' Total="3327.01"', ' Total="1.00"');
    expect(validateCfdi(broken, { verifySeal: false, catalogs: bundledCatalogs }).problems).toEqual([
      expect.objectContaining({ code: CfdiProblemCodes.totalMismatch, path: '/cfdi:Comprobante/@Total' }),
    ]);
  });

  it('reads a document whose CFDI namespace is the default one', () => {
    const unprefixed = valid
      .replaceAll('<cfdi:', '<')
      .replaceAll('</cfdi:', '</')
      .replace('xmlns:cfdi=', 'xmlns=');
    expect(validateCfdi(unprefixed)).toEqual(validateCfdi(valid));
  });

  it('reads namespaces declared on inner elements', () => {
    const inner = replaceOnce(
      replaceOnce(valid, ' xmlns:cfdi="http://www.sat.gob.mx/cfd/4"', ''),
      '<cfdi:Comprobante',
      '<cfdi:Comprobante xmlns:cfdi="http://www.sat.gob.mx/cfd/4"',
    ).replace('<cfdi:Emisor ', '<e:Emisor xmlns:e="http://www.sat.gob.mx/cfd/4" ');
    expect(validateCfdi(inner).outcome).toBe('valid');
  });

  it('does not take an element of another namespace for a CFDI one', () => {
    const foreign = valid.replace('<cfdi:Emisor ', '<o:Emisor xmlns:o="http://example.com/other" ');
    expect(validateCfdi(foreign, { verifySeal: false }).problems).toEqual([
      expect.objectContaining({ code: 'element_unexpected', path: '/cfdi:Comprobante/o:Emisor' }),
      expect.objectContaining({
        code: CfdiProblemCodes.elementRequired,
        path: '/cfdi:Comprobante/cfdi:Emisor',
      }),
    ]);
  });

  it.each([
    [
      'a Comprobante in another namespace',
      '<c:Comprobante xmlns:c="http://example.com/cfd/4" Version="4.0"/>',
      '4.0',
    ],
    [
      'a cfd/4 Comprobante declaring 3.3',
      '<c:Comprobante xmlns:c="http://www.sat.gob.mx/cfd/4" Version="3.3"/>',
      '3.3',
    ],
    ['another root', '<invoice/>', null],
  ])('classifies %s as unsupported', (_case, document, version) => {
    expect(validateCfdi(document)).toMatchObject({
      outcome: 'unsupported',
      version,
      problems: [expect.objectContaining({ code: CfdiProblemCodes.unsupportedDocument })],
    });
  });
});
