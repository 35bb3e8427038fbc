import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

// The repository's fixtures/cfdi, found from this file so tests run in any clone.
const fixturesDirectory = new URL('../../../../../fixtures/cfdi/', import.meta.url);
const satDirectory = new URL('sat/www.sat.gob.mx/sitio_internet/cfd/', fixturesDirectory);

export const fixturePath = (name: string): string => fileURLToPath(new URL(name, fixturesDirectory));

const stylesheets = {
  comprobante: fileURLToPath(new URL('4/cadenaoriginal_4_0/cadenaoriginal_4_0.xslt', satDirectory)),
  stamp: fileURLToPath(new URL('TimbreFiscalDigital/cadenaoriginal_TFD_1_1.xslt', satDirectory)),
};

/** The text of one of SAT's XSLTs, by its path under sitio_internet/cfd/. */
export function satStylesheetText(source: string): string {
  return readFileSync(new URL(source, satDirectory), 'utf8');
}

/**
 * Whether xsltproc, the oracle of the differential tests, is installed. When it is absent the tests
 * skip with a clear message, except under `FISCAL_REQUIRE_SERVICES=1` (CI), where absence fails.
 */
export function xsltprocAvailable(): boolean {
  try {
    execFileSync('xsltproc', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    const message = 'xsltproc is not installed: the cadena original differential tests are skipped';
    if (process.env.FISCAL_REQUIRE_SERVICES === '1')
      throw new Error(`${message}, but FISCAL_REQUIRE_SERVICES=1 requires it`);
    console.warn(message);
    return false;
  }
}

// SAT's XSLTs declare version 2.0 and use only 1.0 features; libxslt says so on stderr and carries on.
function xsltproc(stylesheet: string, input: { file: string } | { text: string }): string {
  const args = [stylesheet, 'file' in input ? input.file : '-'];
  return execFileSync('xsltproc', args, {
    input: 'text' in input ? input.text : undefined,
    encoding: 'utf8',
    stdio: ['pipe', 'pipe', 'ignore'],
  });
}

/** SAT's cadenaoriginal_4_0.xslt applied to a fixture file or to a document's text. */
export function satCadenaOriginal(input: { file: string } | { text: string }): string {
  return xsltproc(stylesheets.comprobante, input);
}

/** SAT's cadenaoriginal_TFD_1_1.xslt applied to a TimbreFiscalDigital given as its own document. */
export function satStampCadena(stampDocument: string): string {
  return xsltproc(stylesheets.stamp, { text: stampDocument });
}

/** The fixtures SOURCES.md lists as version 4.0, in its order. */
export function cfdi40FixtureNames(): string[] {
  const sources = readFileSync(new URL('SOURCES.md', fixturesDirectory), 'utf8');
  return sources
    .split('\n')
    .filter((line) => line.startsWith('| ') && line.includes('.xml |'))
    .map((line) => line.split(' | ').map((cell) => cell.replace(/^\| /, '').trim()))
    .filter((cells) => cells[0]!.endsWith('.xml') && cells[3] === '4.0')
    .map((cells) => cells[0]!);
}

/**
 * The stamp element cut out of a document's text as a document of its own, with the namespace
 * declarations it inherited from its ancestors added, as SAT applies the TFD XSLT to it.
 */
export function extractStampDocument(text: string): string | undefined {
  const start = /<([A-Za-z_][\w.-]*:)?TimbreFiscalDigital[\s/>]/.exec(text);
  if (!start) return undefined;
  const prefix = start[1] ?? '';
  const selfClosingEnd = text.indexOf('/>', start.index);
  const openEnd = text.indexOf('>', start.index);
  const end =
    selfClosingEnd !== -1 && selfClosingEnd < openEnd
      ? selfClosingEnd + 2
      : text.indexOf('>', text.indexOf(`</${prefix}TimbreFiscalDigital`, start.index)) + 1;
  let element = text.slice(start.index, end);
  const declared = new Map<string, string>();
  for (const match of text.matchAll(/xmlns:([\w.-]+)=("[^"]*"|'[^']*')/g))
    if (!declared.has(match[1]!)) declared.set(match[1]!, match[2]!);
  const startTagEnd = element.search(/\/?>/);
  const startTag = element.slice(0, startTagEnd);
  const used = new Set([...startTag.matchAll(/([\w.-]+):[\w.-]+=/g)].map((match) => match[1]!));
  if (prefix !== '') used.add(prefix.slice(0, -1));
  const missing = [...used].filter(
    (name) => name !== 'xmlns' && declared.has(name) && !startTag.includes(`xmlns:${name}=`),
  );
  const declarations = missing.map((name) => ` xmlns:${name}=${declared.get(name)}`).join('');
  element = element.slice(0, startTagEnd) + declarations + element.slice(startTagEnd);
  return `<?xml version="1.0" encoding="UTF-8"?>\n${element}`;
}
