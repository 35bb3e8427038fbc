import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { checkComprobanteStructure } from '../comprobante-structure.js';
import { generateCfdi } from '../generator/generate-cfdi.js';
import { cfdiMutations, mutateCfdi } from '../generator/mutations.js';
import { seededRandom } from '../generator/seeded-random.js';
import { satTestCredentials } from '../generator/testing/sat-test-credentials.js';
import { defaultReadingLimits, parseDocument } from '../parse-document.js';
import { checkStamp } from '../stamp.js';

// xmllint with SAT's schemas is the oracle: a document is XSD-valid exactly when the structure check
// finds nothing. catCFDI.xsd is not shipped, so it is stubbed with every c_* type as xs:string:
// catalog membership is the catalog layer's either way.
const hasXmllint = xmllintAvailable();

/** Absent, the oracle test skips with a message; under FISCAL_REQUIRE_SERVICES=1 (CI) absence fails. */
function xmllintAvailable(): boolean {
  if (spawnSync('xmllint', ['--version']).status === 0) return true;
  const message = 'xmllint is not installed: the structure check is not compared with cfdv40.xsd';
  if (process.env.FISCAL_REQUIRE_SERVICES === '1')
    throw new Error(`${message}, but FISCAL_REQUIRE_SERVICES=1 requires it`);
  console.warn(message);
  return false;
}
const schemas = fileURLToPath(
  new URL('../../../../fixtures/cfdi/sat/www.sat.gob.mx/sitio_internet/cfd/', import.meta.url),
);
const workDirectory = hasXmllint ? mkdtempSync(join(tmpdir(), 'cfdi-xsd-')) : '';

afterAll(() => {
  if (workDirectory) rmSync(workDirectory, { recursive: true, force: true });
});

function schemaSet(): string {
  const root = join(workDirectory, 'cfd');
  cpSync(schemas, root, { recursive: true });
  const catalogTypes = new Set(
    ['4/cfdv40.xsd', 'Pagos/Pagos20.xsd'].flatMap((file) =>
      [...readFileSync(join(root, file), 'utf8').matchAll(/catCFDI:(c_[A-Za-z]+)/g)].map(
        (match) => match[1]!,
      ),
    ),
  );
  writeFileSync(
    join(root, 'catalogos/catCFDI.xsd'),
    `<?xml version="1.0" encoding="UTF-8"?>
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="http://www.sat.gob.mx/sitio_internet/cfd/catalogos">
${[...catalogTypes].map((type) => `<xs:simpleType name="${type}"><xs:restriction base="xs:string"/></xs:simpleType>`).join('\n')}
</xs:schema>`,
  );
  const all = join(root, 'all.xsd');
  writeFileSync(
    all,
    `<?xml version="1.0" encoding="UTF-8"?>
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">
<xs:import namespace="http://www.sat.gob.mx/cfd/4" schemaLocation="4/cfdv40.xsd"/>
<xs:import namespace="http://www.sat.gob.mx/TimbreFiscalDigital" schemaLocation="TimbreFiscalDigital/TimbreFiscalDigitalv11.xsd"/>
<xs:import namespace="http://www.sat.gob.mx/Pagos20" schemaLocation="Pagos/Pagos20.xsd"/>
</xs:schema>`,
  );
  return all;
}

/** xmllint's verdict per file, from one run over all of them. */
function xsdValid(schema: string, files: readonly string[]): Map<string, boolean> {
  const run = spawnSync('xmllint', ['--noout', '--schema', schema, ...files], { encoding: 'utf8' });
  const verdicts = new Map<string, boolean>();
  for (const line of run.stderr.split('\n')) {
    if (line.endsWith(' validates')) verdicts.set(line.slice(0, -' validates'.length), true);
    if (line.endsWith(' fails to validate')) verdicts.set(line.slice(0, -' fails to validate'.length), false);
  }
  return verdicts;
}

function structureValid(xml: string): boolean {
  const parsed = parseDocument(xml, defaultReadingLimits);
  if (!parsed.ok) throw new Error(parsed.problem.message);
  return checkComprobanteStructure(parsed.root).length === 0 && checkStamp(parsed.root, false).length === 0;
}

describe.skipIf(!hasXmllint)('the structure check against xmllint and cfdv40.xsd', () => {
  it('agrees on generated documents and on every mutation of them', () => {
    const credentials = satTestCredentials();
    const now = new Date('2026-11-01T18:00:00Z');
    const documents = new Map<string, string>();
    for (let seed = 1; seed <= 40; seed++) {
      const random = seededRandom(seed);
      const generated = generateCfdi({
        random,
        credentials,
        now,
        withWithholdings: seed % 2 === 0,
        stamp: seed % 4 === 0 ? credentials : undefined,
      });
      documents.set(`${seed}`, generated.xml);
      for (const [index, mutation] of cfdiMutations.entries()) {
        const mutated = mutateCfdi(generated, mutation, random);
        if (mutated !== undefined) documents.set(`${seed}-${index}`, mutated);
      }
    }
    const files = [...documents].map(([name, xml]) => {
      const file = join(workDirectory, `${name}.xml`);
      writeFileSync(file, xml);
      return file;
    });
    const oracle = xsdValid(schemaSet(), files);

    const disagreements = [...documents.keys()].flatMap((name, index) => {
      const expected = oracle.get(files[index]!);
      const actual = structureValid(documents.get(name)!);
      return expected === actual ? [] : [`${name}: xmllint ${expected} structure ${actual}`];
    });
    expect(disagreements).toEqual([]);
    expect(oracle.size).toBe(files.length);
    // Both kinds are present: the mutations of structure break the schema, the others do not.
    expect([...oracle.values()].filter(Boolean).length).toBeGreaterThan(40);
    expect([...oracle.values()].filter((valid) => !valid).length).toBeGreaterThan(200);
  });
});
