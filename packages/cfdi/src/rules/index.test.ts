import { readdirSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bundledCatalogs } from '../catalogs/testing/bundled-catalogs.js';
import { generateCfdi, seededRandom } from '../generator/index.js';
import { satTestCredentials } from '../generator/testing/sat-test-credentials.js';
import { defaultReadingLimits, parseDocument } from '../parse-document.js';
import { fixtureText } from '../testing/fixtures.js';
import { checkSatRules, RuleCodes } from './index.js';
import { codesOf, problemsOf } from './testing/rule-documents.js';

/** A fixture's Comprobante checked at `now`; NTLink's Fecha placeholder replaced with `fecha`. */
function fixtureDocument(name: string, now: string, fecha = '2025-06-01T10:00:00') {
  return { text: fixtureText(name).replaceAll('%fecha-timbrado%', fecha), now: new Date(now) };
}

describe('checkSatRules', () => {
  // fixtures/cfdi/SOURCES.md: VALID and VALID (pre-stamp) CFDI 4.0, checked the day after their Fecha.
  it.each([
    ['cfdiutils-cfdi40-real.xml', '2025-01-25T12:00:00Z'],
    ['cfdiutils-cfdi40-valid.xml', '2025-02-20T12:00:00Z'],
    ['swsdkphp-file_pdf.xml', '2022-10-24T12:00:00Z'],
    ['cfdiutils-created-with-discounts-40.xml', '2023-06-19T12:00:00Z'],
    ['cfdiutils-created-cfdi40-pago20-valid.xml', '2023-06-14T12:00:00Z'],
  ])('finds nothing wrong with the valid %s', (file, now) => {
    expect(problemsOf(fixtureDocument(file, now))).toEqual([]);
  });

  it('finds nothing wrong with generated invoices, whatever their options', () => {
    const credentials = satTestCredentials();
    const now = new Date('2026-11-01T18:00:00Z');
    const options = fc.record({
      seed: fc.integer(),
      concepts: fc.integer({ min: 1, max: 8 }),
      withDiscounts: fc.boolean(),
      withWithholdings: fc.boolean(),
      currency: fc.constantFrom('MXN' as const, 'USD' as const, 'EUR' as const),
      stamped: fc.boolean(),
    });
    fc.assert(
      fc.property(options, ({ seed, stamped, ...choices }) => {
        const { xml } = generateCfdi({
          ...choices,
          random: seededRandom(seed),
          credentials,
          now,
          stamp: stamped ? credentials : undefined,
        });
        expect(problemsOf({ text: xml, now }), `seed ${seed}`).toEqual([]);
      }),
      { seed: 20_261_124, numRuns: 500 },
    );
  });

  // Each NTLink template targets one SAT code; their other defects (a foreign ResidenciaFiscal for a
  // generic RFC, regime 628, ...) add codes of their own.
  it.each([
    ['ntlink-CFDI40103.xml', RuleCodes.formaPagoNotAllowed],
    ['ntlink-CFDI40105.xml', RuleCodes.formaPagoNot99],
    ['ntlink-CFDI40108.xml', RuleCodes.subTotalMismatch],
    ['ntlink-CFDI40109.xml', RuleCodes.amountNotZero],
    ['ntlink-CFDI40110.xml', RuleCodes.discountExceedsSubTotal],
    ['ntlink-CFDI40114.xml', RuleCodes.tipoCambioNotOne],
    ['ntlink-CFDI40115.xml', RuleCodes.tipoCambioRequired],
    ['ntlink-CFDI40119.xml', RuleCodes.totalMismatch],
    ['ntlink-CFDI40120.xml', RuleCodes.totalNeedsConfirmacion],
    ['ntlink-CFDI40125.xml', RuleCodes.metodoPagoNotAllowed],
    ['ntlink-CFDI40130.xml', RuleCodes.informacionGlobalReceptor],
    ['ntlink-CFDI40141.xml', RuleCodes.regimenFiscalPersona],
  ])('reports what %s targets: %s', (file, code) => {
    expect(codesOf(fixtureDocument(file, '2025-06-02T12:00:00Z'))).toContain(code);
  });

  it('reports the Pagos sums satcfdi-cfdv40-pagos20-min breaks', () => {
    const problems = problemsOf(fixtureDocument('satcfdi-cfdv40-pagos20-min.xml', '2022-01-02T12:00:00Z'));
    expect(problems).toContainEqual({
      code: RuleCodes.montoTotalPagos,
      path: '/cfdi:Comprobante/cfdi:Complemento/pago20:Pagos/pago20:Totales/@MontoTotalPagos',
      message: expect.stringContaining('6066.66'),
    });
    expect(problems).toContainEqual({
      code: RuleCodes.impSaldoInsolutoMismatch,
      path: '/cfdi:Comprobante/cfdi:Complemento/pago20:Pagos/pago20:Pago/pago20:DoctoRelacionado/@ImpSaldoInsoluto',
      message: expect.stringContaining('6065.66'),
    });
  });

  it('judges the catalogs of a document dated before CFDI 4.0 as of 2022-01-01, reporting the date once', () => {
    const codes = codesOf(fixtureDocument('ntlink-cfdi-con-sello.xml', '2022-01-02T12:00:00Z'));
    expect(codes.filter((code) => code === RuleCodes.fechaBeforeCfdi40)).toHaveLength(1);
    expect(codes).not.toContain(RuleCodes.catalogValueExpired);
  });

  it('runs over every stored CFDI 4.0 fixture without failing', () => {
    const files = readdirSync(new URL('../../../../fixtures/cfdi/', import.meta.url)).filter((file) =>
      file.endsWith('.xml'),
    );
    for (const file of files) {
      const parsed = parseDocument(
        fixtureText(file).replaceAll('%fecha-timbrado%', '2025-06-01T10:00:00'),
        defaultReadingLimits,
      );
      if (!parsed.ok || parsed.root.attributes.get('Version') !== '4.0') continue;
      expect(
        () => checkSatRules(parsed.root, { catalogs: bundledCatalogs(), now: new Date() }),
        file,
      ).not.toThrow();
    }
  });

  it.each([
    ['an empty Comprobante', '<cfdi:Comprobante xmlns:cfdi="http://www.sat.gob.mx/cfd/4"/>'],
    [
      'garbage in every attribute',
      `<cfdi:Comprobante xmlns:cfdi="http://www.sat.gob.mx/cfd/4" Fecha="x" Moneda="x" TipoCambio="-1" SubTotal="1e3" Descuento="NaN" Total="" TipoDeComprobante="I" FormaPago="" MetodoPago="PPD" Exportacion="02">
        <cfdi:InformacionGlobal Periodicidad="05" Meses="x" Año="x"/>
        <cfdi:Emisor Rfc="x" RegimenFiscal=""/><cfdi:Receptor Rfc="XEXX010101000" ResidenciaFiscal="USA" NumRegIdTrib="x" RegimenFiscalReceptor="x" UsoCFDI="x"/>
        <cfdi:Conceptos><cfdi:Concepto Cantidad="x" ValorUnitario="-2" Importe="1.2.3" Descuento="x" ObjetoImp="02">
          <cfdi:Impuestos><cfdi:Traslados><cfdi:Traslado Base="x" Impuesto="002" TipoFactor="Tasa" TasaOCuota="x" Importe="x"/></cfdi:Traslados>
          <cfdi:Retenciones><cfdi:Retencion/></cfdi:Retenciones></cfdi:Impuestos>
          <cfdi:Parte Cantidad="x" ValorUnitario="x" Importe="x"/></cfdi:Concepto></cfdi:Conceptos>
        <cfdi:Impuestos TotalImpuestosTrasladados="x"><cfdi:Traslados><cfdi:Traslado Base="x" TipoFactor="Exento"/></cfdi:Traslados><cfdi:Retenciones><cfdi:Retencion/></cfdi:Retenciones></cfdi:Impuestos>
      </cfdi:Comprobante>`,
    ],
    [
      'a Pagos complement with garbage in it',
      `<cfdi:Comprobante xmlns:cfdi="http://www.sat.gob.mx/cfd/4" xmlns:pago20="http://www.sat.gob.mx/Pagos20" TipoDeComprobante="P" Moneda="XXX">
        <cfdi:Complemento><pago20:Pagos><pago20:Totales MontoTotalPagos="x"/>
          <pago20:Pago MonedaP="USD" TipoCambioP="x" Monto="x" FormaDePagoP="03" CtaOrdenante="x">
            <pago20:DoctoRelacionado MonedaDR="EUR" EquivalenciaDR="0" ImpSaldoAnt="x" ImpPagado="x" ObjetoImpDR="02">
              <pago20:ImpuestosDR><pago20:TrasladosDR><pago20:TrasladoDR BaseDR="x" ImpuestoDR="002" TipoFactorDR="Tasa"/></pago20:TrasladosDR></pago20:ImpuestosDR>
            </pago20:DoctoRelacionado>
            <pago20:ImpuestosP><pago20:TrasladosP><pago20:TrasladoP BaseP="x" ImpuestoP="002" TipoFactorP="Tasa" TasaOCuotaP="x"/></pago20:TrasladosP></pago20:ImpuestosP>
          </pago20:Pago>
        </pago20:Pagos></cfdi:Complemento>
      </cfdi:Comprobante>`,
    ],
  ])('skips what it cannot read in %s, without failing', (_case, text) => {
    expect(() => problemsOf({ text, now: new Date('2025-06-02T12:00:00Z') })).not.toThrow();
  });

  it('names where each problem is and what was expected', () => {
    const [problem] = problemsOf(fixtureDocument('ntlink-CFDI40114.xml', '2025-06-02T12:00:00Z'));
    expect(problem).toEqual({
      code: RuleCodes.tipoCambioNotOne,
      path: '/cfdi:Comprobante/@TipoCambio',
      message: 'TipoCambio "2" must be 1 when Moneda is MXN',
    });
  });
});
