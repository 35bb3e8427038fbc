import { beforeAll, describe, expect, it } from 'vitest';
import { bundledCertificatesDirectory, createFsCertificateStore } from './adapters/fs-certificate-store.js';
import {
  type CertificateStore,
  CfdiProblemCodes,
  maxProblemMessageLength,
  maxProblemPathLength,
  maxProblemsKept,
  readCfdiMetadata,
  SealProblemCodes,
  tooManyProblemsCode,
  validateCfdi,
} from './index.js';
import { fixtureBytes, fixtureText, replaceOnce } from './testing/fixtures.js';
import { bundledCatalogs, bundledCertificates } from './testing/references.js';

/** How the service validates: every layer, with the catalogs and certificates it ships with. */
const service = {
  catalogs: bundledCatalogs,
  certificates: bundledCertificates,
  now: new Date('2026-11-24T12:00:00Z'),
};

// Verdicts from fixtures/cfdi/SOURCES.md.
describe('validateCfdi on the stored fixtures', () => {
  it.each([
    ['cfdiutils-cfdi40-real.xml', {}],
    ['cfdiutils-cfdi40-valid.xml', {}],
    ['swsdkphp-file_pdf.xml', {}], // single-quoted attributes, namespace declared after other attributes
    ['cfdiutils-created-with-discounts-40.xml', { requireStamp: false }], // pre-stamp
    ['cfdiutils-created-cfdi40-pago20-valid.xml', { requireStamp: false }], // pre-stamp, tipo P
  ])('accepts %s with no problems', (file, options) => {
    const verdict = validateCfdi(fixtureBytes(file), { ...service, ...options });
    expect(verdict.problems).toEqual([]);
    expect(verdict).toMatchObject({ outcome: 'valid', version: '4.0' });
    expect(verdict.metadata).not.toBeNull();
  });

  it.each(['cfdiutils-created-with-discounts-40.xml', 'cfdiutils-created-cfdi40-pago20-valid.xml'])(
    'rejects the pre-stamp %s as not stamped when a stamp is required',
    (file) => {
      const verdict = validateCfdi(fixtureBytes(file));
      expect(verdict.outcome).toBe('invalid');
      expect(verdict.problems).toEqual([
        {
          code: CfdiProblemCodes.notStamped,
          path: '/cfdi:Comprobante/cfdi:Complemento/tfd:TimbreFiscalDigital',
          message: expect.any(String),
        },
      ]);
    },
  );

  it.each([
    ['cfdiutils-cfdi33-real.xml', '3.3'],
    ['cfdiutils-cfdi33-valid.xml', '3.3'],
    ['cfdiutils-created-pago-with-ns-at-root-33.xml', '3.3'],
    ['cfdiutils-pagos10-sample-errors.xml', '3.3'],
    ['cfdiutils-cfdi32-real.xml', '3.2'],
    ['ntlink-retencion-intereses-timbrada.xml', '2.0'], // Retenciones, starts with a BOM
  ])('classifies %s as unsupported, naming what it is', (file, version) => {
    const verdict = validateCfdi(fixtureBytes(file));
    expect(verdict).toMatchObject({ outcome: 'unsupported', version, metadata: null });
    expect(verdict.problems).toHaveLength(1);
    expect(verdict.problems[0]!.code).toBe(CfdiProblemCodes.unsupportedDocument);
    expect(verdict.problems[0]!.message).toMatch(
      file.includes('retencion') ? /Retenciones/ : `CFDI ${version}`,
    );
  });

  // Every INVALID fixture of SOURCES.md, checked as the service checks (catalogs, certificate store,
  // stamp required), with the intended defect among its problems, at its path where one is named.
  // The NTLink templates carry a Fecha placeholder (the PAC's test puts "now" there): it is replaced,
  // so each reaches the rule it was written for.
  it.each<[string, string, string | undefined]>([
    ['ntlink-CFDI40101.xml', 'CFDI40101', '/cfdi:Comprobante/@Fecha'],
    ['ntlink-CFDI40103.xml', 'CFDI40103', '/cfdi:Comprobante/@FormaPago'],
    ['ntlink-CFDI40105.xml', 'CFDI40105', '/cfdi:Comprobante/@FormaPago'],
    ['ntlink-CFDI40108.xml', 'CFDI40108', '/cfdi:Comprobante/@SubTotal'],
    ['ntlink-CFDI40109.xml', 'CFDI40109', '/cfdi:Comprobante/@SubTotal'],
    ['ntlink-CFDI40110.xml', 'CFDI40110', '/cfdi:Comprobante/@Descuento'],
    ['ntlink-CFDI40114.xml', 'CFDI40114', '/cfdi:Comprobante/@TipoCambio'],
    ['ntlink-CFDI40115.xml', 'CFDI40115', undefined],
    ['ntlink-CFDI40119.xml', 'CFDI40119', '/cfdi:Comprobante/@Total'],
    ['ntlink-CFDI40120.xml', 'CFDI40120', undefined],
    ['ntlink-CFDI40125.xml', 'CFDI40125', '/cfdi:Comprobante/@MetodoPago'],
    ['ntlink-CFDI40130.xml', 'CFDI40130', undefined],
    ['ntlink-CFDI40141.xml', 'CFDI40141', '/cfdi:Comprobante/cfdi:Emisor/@RegimenFiscal'],
    ['satcfdi-cfdv40-min.xml', 'CFDI40108', '/cfdi:Comprobante/@SubTotal'],
    ['satcfdi-cfdv40-min.xml', 'attribute_invalid', '/cfdi:Comprobante/cfdi:Emisor/@Rfc'],
    ['satcfdi-cfdv40-min.xml', 'attribute_required', '/cfdi:Comprobante/@Sello'],
    ['satcfdi-cfdv40-ejemplo-signed-tfd.xml', 'certificate_not_valid_at_fecha', undefined],
    ['satcfdi-cfdv40-ejemplo-signed-tfd.xml', 'stamp_unverifiable', undefined],
    ['satcfdi-cfdv40-ejemplo-signed-tfd.xml', 'CFDI40109', '/cfdi:Comprobante/@SubTotal'],
    ['satcfdi-cfdv40-pagos20-min.xml', 'attribute_required', '/cfdi:Comprobante/@Certificado'],
    ['satcfdi-cfdv40-pagos20-min.xml', 'CRP20211', undefined],
    ['satcfdi-cfdv40-pagos20-min.xml', 'CRP20244', undefined],
    ['satcfdi-cfdv40-cce11.xml', 'attribute_required', '/cfdi:Comprobante/@Sello'],
    ['satcfdi-cfdv40-cce11.xml', 'CFDI40103', '/cfdi:Comprobante/@FormaPago'],
    ['satcfdi-cfdv40-cartaporte20-min.xml', 'attribute_required', '/cfdi:Comprobante/@Sello'],
    ['satcfdi-cfdv40-cartaporte20-min.xml', 'CFDI40103', '/cfdi:Comprobante/@FormaPago'],
    ['cfdiutils-pagos20-calculator-002.xml', 'attribute_required', '/cfdi:Comprobante/@Sello'],
    ['cfdiutils-pagos20-calculator-002.xml', 'attribute_required', '/cfdi:Comprobante/@Certificado'],
    ['swsdkphp-cfdi40.xml', 'CFDI40102', '/cfdi:Comprobante/@Sello'],
    ['swsdkphp-cfdi40.xml', 'not_stamped', undefined],
    ['ntlink-cfdi-con-sello.xml', 'attribute_required', '/cfdi:Comprobante/@Exportacion'],
    [
      'ntlink-cfdi-con-sello.xml',
      'attribute_required',
      '/cfdi:Comprobante/cfdi:Receptor/@DomicilioFiscalReceptor',
    ],
    [
      'ntlink-cfdi-con-sello.xml',
      'attribute_required',
      '/cfdi:Comprobante/cfdi:Receptor/@RegimenFiscalReceptor',
    ],
    [
      'ntlink-cfdi-con-sello.xml',
      'attribute_required',
      '/cfdi:Comprobante/cfdi:Conceptos/cfdi:Concepto[2]/@ObjetoImp',
    ],
    ['ntlink-cfdi-con-sello.xml', 'CFDI40102', '/cfdi:Comprobante/@Sello'],
    ['nodecfdi-cfdi-to-pdf-cfdi40-nomina-valid.xml', 'attribute_required', '/cfdi:Comprobante/@Sello'],
    ['nodecfdi-cfdi-to-pdf-cfdi40-nomina-valid.xml', 'stamp_unverifiable', undefined],
  ])('rejects %s with %s (at %s)', (file, code, path) => {
    const text = fixtureText(file).replaceAll('%fecha-timbrado%', '2026-06-01T10:00:00');
    const verdict = validateCfdi(text, service);
    expect(verdict.outcome).toBe('invalid');
    expect(verdict.problems).toContainEqual(expect.objectContaining(path ? { code, path } : { code }));
  });

  it('reports every problem, not only the first', () => {
    const codes = validateCfdi(fixtureBytes('ntlink-CFDI40110.xml'), service).problems.map(
      (problem) => problem.code,
    );
    expect(codes).toEqual(
      expect.arrayContaining([
        CfdiProblemCodes.fechaInvalid,
        CfdiProblemCodes.attributeRequired,
        CfdiProblemCodes.notStamped,
        CfdiProblemCodes.amountNotZero,
        CfdiProblemCodes.discountExceedsSubTotal,
        'CFDI40111', // a Concepto Descuento in a Traslado
        SealProblemCodes.sealInvalid,
      ]),
    );
  });

  it('keeps the first hundred problems of a document with a problem per element, and counts the rest', () => {
    const head = '<cfdi:Comprobante xmlns:cfdi="http://www.sat.gob.mx/cfd/4" Version="4.0">';
    const hostile = `${head}${'<x/>'.repeat(100_000)}</cfdi:Comprobante>`;
    const verdict = validateCfdi(hostile, service);
    expect(verdict.outcome).toBe('invalid');
    expect(verdict.problems).toHaveLength(maxProblemsKept + 1);
    expect(verdict.problems.at(-1)).toEqual({
      code: tooManyProblemsCode,
      path: '',
      message: expect.stringMatching(/^and \d+ more problems: only the first 100 are listed$/),
    });
    const omitted = Number(/and (\d+) more/.exec(verdict.problems.at(-1)!.message)![1]);
    expect(omitted).toBeGreaterThan(100_000 - maxProblemsKept);
    expect(JSON.stringify(verdict.problems).length).toBeLessThan(20_000);
  });

  it('cuts short the paths and messages of element names and values a client made huge', () => {
    const valid = fixtureText('cfdiutils-cfdi40-valid.xml');
    const name = 'y'.repeat(200_000);
    const hostile = replaceOnce(
      valid,
      '</cfdi:Comprobante>',
      `<${name} Value="${'v'.repeat(200_000)}"/></cfdi:Comprobante>`,
    ).replace('Moneda="', `Moneda="${'M'.repeat(100_000)}`);
    const verdict = validateCfdi(hostile, service);
    expect(verdict.outcome).toBe('invalid');
    for (const problem of verdict.problems) {
      expect(problem.path.length).toBeLessThanOrEqual(maxProblemPathLength);
      expect(problem.message.length).toBeLessThanOrEqual(maxProblemMessageLength);
    }
    expect(verdict.problems.map((problem) => problem.path)).toContainEqual(
      expect.stringMatching(/^\/cfdi:Comprobante\/yyy+\.\.\.$/),
    );
  });

  it('reads the same verdict from bytes and from a string', () => {
    const file = 'swsdkphp-file_pdf.xml';
    expect(validateCfdi(fixtureText(file))).toEqual(validateCfdi(fixtureBytes(file)));
  });

  it('gives what the document says as its metadata, even when the document is invalid', () => {
    const verdict = validateCfdi(fixtureBytes('ntlink-CFDI40119.xml'));
    expect(verdict.metadata).toEqual({
      uuid: null,
      issuer: 'EKU9003173C9',
      receiver: 'XAXX010101000',
      total: '2320.00',
      currency: 'MXN',
      issuedAt: '%fecha-timbrado%',
    });
  });
});

describe('seals and stamps', () => {
  let certificates: CertificateStore;
  beforeAll(async () => {
    certificates = await createFsCertificateStore({ directory: bundledCertificatesDirectory });
  });

  it.each(['cfdiutils-cfdi40-real.xml', 'cfdiutils-cfdi40-valid.xml', 'swsdkphp-file_pdf.xml'])(
    'verifies the Sello and the SelloSAT of %s',
    (file) => {
      expect(validateCfdi(fixtureBytes(file), { certificates })).toMatchObject({
        outcome: 'valid',
        problems: [],
      });
    },
  );

  it('cannot verify a stamp whose PAC certificate is not in the store: a distinct outcome', () => {
    const verdict = validateCfdi(fixtureBytes('cfdiutils-cfdi40-valid.xml'), {
      certificates: { find: () => undefined },
    });
    expect(verdict.outcome).toBe('unverifiable');
    expect(verdict.problems.map((problem) => problem.code)).toEqual([SealProblemCodes.stampUnverifiable]);
  });

  it('an attribute changed after sealing breaks the Sello', () => {
    const tampered = replaceOnce(
      fixtureText('cfdiutils-cfdi40-valid.xml'),
      'LugarExpedicion="',
      'LugarExpedicion="0',
    );
    const codes = validateCfdi(tampered, { certificates }).problems.map((problem) => problem.code);
    expect(codes).toContain(SealProblemCodes.sealInvalid);
  });
});

describe('readCfdiMetadata', () => {
  it('reads UUID, RFCs, Total, Moneda and Fecha from a stamped document', () => {
    expect(readCfdiMetadata(fixtureBytes('cfdiutils-cfdi40-real.xml'))).toEqual({
      metadata: {
        uuid: 'c2832671-da6d-11ef-a83d-00155d012007',
        issuer: 'ISD950921HE5',
        receiver: 'COSC8001137NA',
        total: '1000.00',
        currency: 'MXN',
        issuedAt: '2025-01-24T10:10:41',
      },
      problems: [],
    });
  });

  it('gives a null uuid for a document without a stamp', () => {
    const { metadata, problems } = readCfdiMetadata(fixtureBytes('cfdiutils-created-with-discounts-40.xml'));
    expect(problems).toEqual([]);
    expect(metadata).toMatchObject({ uuid: null, issuer: 'EKU9003173C9', total: '3248.00', currency: 'USD' });
  });

  it('names what is missing instead of guessing', () => {
    const text = fixtureText('cfdiutils-cfdi40-valid.xml');
    const withoutEmisor = replaceOnce(
      text,
      '<cfdi:Emisor Rfc="EKU9003173C9" Nombre="ESCUELA KEMPER URGATE" RegimenFiscal="601"/>',
      '',
    );
    const withoutTotal = replaceOnce(text, ' Total="3327.01"', '');
    expect(readCfdiMetadata(withoutEmisor)).toEqual({
      metadata: null,
      problems: [
        expect.objectContaining({ code: 'element_required', path: '/cfdi:Comprobante/cfdi:Emisor' }),
      ],
    });
    expect(readCfdiMetadata(withoutTotal)).toEqual({
      metadata: null,
      problems: [expect.objectContaining({ code: 'attribute_required', path: '/cfdi:Comprobante/@Total' })],
    });
  });

  it('applies the same safety checks and refuses other documents', () => {
    const doctype = '<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><x>&xxe;</x>';
    expect(readCfdiMetadata(doctype).problems).toEqual([
      expect.objectContaining({ code: CfdiProblemCodes.xmlDoctypeForbidden }),
    ]);
    expect(readCfdiMetadata(fixtureBytes('cfdiutils-cfdi40-valid.xml'), { maxBytes: 100 }).problems).toEqual([
      expect.objectContaining({ code: CfdiProblemCodes.documentTooLarge }),
    ]);
    expect(readCfdiMetadata(fixtureBytes('cfdiutils-cfdi33-real.xml'))).toEqual({
      metadata: null,
      problems: [expect.objectContaining({ code: CfdiProblemCodes.unsupportedDocument })],
    });
  });
});
