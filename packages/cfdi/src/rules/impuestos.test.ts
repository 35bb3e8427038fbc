import { describe, expect, it } from 'vitest';
import { RuleCodes } from './rule-codes.js';
import {
  addConceptTraslado,
  addSummaryTraslado,
  ingresoWithRetencion,
  summaryRetencion,
  summaryTraslado,
} from './testing/ingreso-taxes.js';
import { changed, codesOf, validDocuments } from './testing/rule-documents.js';

const { ingreso, pago } = validDocuments;
const exento = 'Base="100.00" Impuesto="003" TipoFactor="Exento"';

describe('the taxes of the Comprobante', () => {
  it('accepts an Exento line summed up like any other', () => {
    expect(codesOf(changed(ingreso, addConceptTraslado(exento), addSummaryTraslado(exento)))).toEqual([]);
  });

  it.each([
    [
      'CFDI40201: a Pago with Impuestos',
      changed(pago, ['</cfdi:Conceptos>', '</cfdi:Conceptos><cfdi:Impuestos/>']),
      [RuleCodes.impuestosNotAllowed],
    ],
    [
      'CFDI40202: TotalImpuestosRetenidos with 3 decimals in MXN',
      changed(ingresoWithRetencion, [
        'TotalImpuestosRetenidos="286.81"',
        'TotalImpuestosRetenidos="286.810"',
      ]),
      [RuleCodes.totalRetenidosDecimals],
    ],
    [
      'CFDI40203: TotalImpuestosRetenidos that is not the sum of the Retencion lines',
      changed(
        ingresoWithRetencion,
        ['TotalImpuestosRetenidos="286.81"', 'TotalImpuestosRetenidos="286.82"'],
        [' Total="3040.20"', ' Total="3040.19"'],
      ),
      [RuleCodes.totalRetenidosMismatch],
    ],
    [
      'CFDI40204: TotalImpuestosTrasladados with 3 decimals in MXN',
      changed(ingreso, ['TotalImpuestosTrasladados="458.90"', 'TotalImpuestosTrasladados="458.900"']),
      [RuleCodes.totalTrasladadosDecimals],
    ],
    [
      'CFDI40205: TotalImpuestosTrasladados that is not the sum of the Traslado lines',
      changed(
        ingreso,
        ['TotalImpuestosTrasladados="458.90"', 'TotalImpuestosTrasladados="458.91"'],
        [' Total="3327.01"', ' Total="3327.02"'],
      ),
      [RuleCodes.totalTrasladadosMismatch],
    ],
    [
      'CFDI40206: Retenciones without TotalImpuestosRetenidos',
      changed(
        ingresoWithRetencion,
        [' TotalImpuestosRetenidos="286.81"', ''],
        [' Total="3040.20"', ' Total="3327.01"'],
      ),
      [RuleCodes.totalRetenidosRequired],
    ],
    [
      'CFDI40207: a Retencion Impuesto not in c_Impuesto',
      changed(ingresoWithRetencion, [
        summaryRetencion,
        `${summaryRetencion}<cfdi:Retencion Impuesto="004" Importe="0.00"/>`,
      ]),
      [RuleCodes.totalRetencionImpuestoUnknown],
    ],
    [
      'CFDI40208: two Retencion lines for one tax',
      changed(ingresoWithRetencion, [
        summaryRetencion,
        `${summaryRetencion}<cfdi:Retencion Impuesto="001" Importe="0.00"/>`,
      ]),
      [RuleCodes.totalRetencionRepeated],
    ],
    [
      'CFDI40210: a Retencion Importe with 3 decimals in MXN',
      changed(ingresoWithRetencion, [summaryRetencion, summaryRetencion.replace('"286.81"', '"286.810"')]),
      [RuleCodes.totalRetencionImporteDecimals],
    ],
    [
      "CFDI40211: a Retencion Importe that is not the sum of the Conceptos' withholdings",
      changed(
        ingresoWithRetencion,
        [summaryRetencion, summaryRetencion.replace('"286.81"', '"286.82"')],
        ['TotalImpuestosRetenidos="286.81"', 'TotalImpuestosRetenidos="286.82"'],
        [' Total="3040.20"', ' Total="3040.19"'],
      ),
      [RuleCodes.totalRetencionImporteMismatch],
    ],
    [
      'CFDI40212: a taxed Traslado without TotalImpuestosTrasladados',
      changed(ingreso, [' TotalImpuestosTrasladados="458.90"', ''], [' Total="3327.01"', ' Total="2868.11"']),
      [RuleCodes.totalTrasladadosRequired],
    ],
    [
      'CFDI40213: an Exento summary line with a rate',
      changed(ingreso, addConceptTraslado(exento), addSummaryTraslado(`${exento} TasaOCuota="0.000000"`)),
      [RuleCodes.totalTrasladoExentoWithAmounts],
    ],
    [
      'CFDI40214: a Traslado Base with 3 decimals in MXN',
      changed(ingreso, [summaryTraslado, summaryTraslado.replace('"2868.11"', '"2868.110"')]),
      [RuleCodes.totalTrasladoBaseDecimals],
    ],
    [
      "CFDI40215: a Traslado Base that is not the sum of the Conceptos' bases",
      changed(ingreso, [summaryTraslado, summaryTraslado.replace('"2868.11"', '"2868.12"')]),
      [RuleCodes.totalTrasladoBaseMismatch],
    ],
    [
      'CFDI40217: a Traslado Impuesto not in c_Impuesto',
      changed(ingreso, addSummaryTraslado('Base="0.00" Impuesto="004" TipoFactor="Exento"')),
      [RuleCodes.totalTrasladoImpuestoUnknown],
    ],
    [
      'CFDI40218: two Traslado lines for one tax, factor and rate',
      changed(
        ingreso,
        addSummaryTraslado('Base="0.00" Impuesto="002" TipoFactor="Tasa" TasaOCuota="0.16" Importe="0.00"'),
      ),
      [RuleCodes.totalTrasladoRepeated],
    ],
    [
      'CFDI40219: a Traslado rate c_TasaOCuota does not have',
      changed(
        ingreso,
        addSummaryTraslado(
          'Base="0.00" Impuesto="003" TipoFactor="Tasa" TasaOCuota="0.100000" Importe="0.00"',
        ),
      ),
      [RuleCodes.totalTrasladoTasaOCuotaUnknown],
    ],
    [
      'CFDI40220: a Traslado Importe with 3 decimals in MXN',
      changed(ingreso, [summaryTraslado, summaryTraslado.replace('"458.90"', '"458.900"')]),
      [RuleCodes.totalTrasladoImporteDecimals],
    ],
    [
      "CFDI40221: a Traslado Importe that is not the sum of the Conceptos' taxes",
      changed(
        ingreso,
        [summaryTraslado, summaryTraslado.replace('"458.90"', '"458.91"')],
        ['TotalImpuestosTrasladados="458.90"', 'TotalImpuestosTrasladados="458.91"'],
        [' Total="3327.01"', ' Total="3327.02"'],
      ),
      [RuleCodes.totalTrasladoImporteMismatch],
    ],
    [
      'concept_tax_not_summarized: a Concepto tax the summary lacks',
      changed(ingreso, addConceptTraslado(exento)),
      [RuleCodes.conceptTaxNotSummarized],
    ],
  ])('%s', (_case, document, codes) => {
    expect(codesOf(document)).toEqual(codes);
  });
});
