import { describe, expect, it } from 'vitest';
import { RuleCodes } from './rule-codes.js';
import {
  addConceptRetencion,
  addConceptTraslado,
  addSummaryTraslado,
  conceptRetencion,
  conceptTraslado,
  ingresoWithRetencion,
  summaryRetencion,
  summaryTraslado,
} from './testing/ingreso-taxes.js';
import { changed, codesOf, validDocuments } from './testing/rule-documents.js';

const { ingreso } = validDocuments;

// A line the Concepto alone has is also missing from the summary; lines a rule rejects are not
// summed, so these cases add a rejected line to the Concepto only.
describe('the taxes of a Concepto', () => {
  it('accepts ISR withheld at 10 %', () => {
    expect(codesOf(ingresoWithRetencion)).toEqual([]);
  });

  it.each([
    [
      'CFDI40174: a Traslado with Base 0',
      changed(
        ingreso,
        addConceptTraslado('Base="0" Impuesto="003" TipoFactor="Exento"'),
        addSummaryTraslado('Base="0" Impuesto="003" TipoFactor="Exento"'),
      ),
      [RuleCodes.trasladoBaseNotPositive],
    ],
    [
      'CFDI40175: ISR transferred',
      changed(ingreso, addConceptTraslado('Base="100.00" Impuesto="001" TipoFactor="Exento"')),
      [RuleCodes.trasladoImpuestoUnknown],
    ],
    [
      'CFDI40175: an Impuesto not in c_Impuesto',
      changed(ingreso, addConceptTraslado('Base="100.00" Impuesto="004" TipoFactor="Exento"')),
      [RuleCodes.trasladoImpuestoUnknown],
    ],
    [
      'CFDI40176: a TipoFactor not in c_TipoFactor',
      changed(ingreso, addConceptTraslado('Base="100.00" Impuesto="003" TipoFactor="Libre"')),
      [RuleCodes.trasladoTipoFactorUnknown],
    ],
    [
      'CFDI40177: an Exento Traslado with a rate',
      changed(
        ingreso,
        addConceptTraslado('Base="100.00" Impuesto="003" TipoFactor="Exento" TasaOCuota="0.000000"'),
      ),
      [RuleCodes.trasladoExentoWithAmounts],
    ],
    [
      'CFDI40178: a Tasa Traslado without rate and Importe',
      changed(ingreso, addConceptTraslado('Base="100.00" Impuesto="003" TipoFactor="Tasa"')),
      [RuleCodes.trasladoAmountsRequired],
    ],
    [
      'CFDI40179: an IEPS rate c_TasaOCuota does not have',
      changed(
        ingreso,
        addConceptTraslado(
          'Base="100.00" Impuesto="003" TipoFactor="Tasa" TasaOCuota="0.100000" Importe="10.00"',
        ),
      ),
      [RuleCodes.trasladoTasaOCuotaUnknown],
    ],
    [
      // 2868.11 × 0.16 is 458.8976: the limits are 458.89 to 458.90.
      'CFDI40180: a Traslado Importe outside the limits',
      changed(
        ingreso,
        [conceptTraslado, conceptTraslado.replace('Importe="458.90"', 'Importe="459.00"')],
        [summaryTraslado, summaryTraslado.replace('Importe="458.90"', 'Importe="459.00"')],
        ['TotalImpuestosTrasladados="458.90"', 'TotalImpuestosTrasladados="459.00"'],
        [' Total="3327.01"', ' Total="3327.11"'],
      ),
      [RuleCodes.trasladoImporteOutOfLimits],
    ],
    [
      // A Base of 0 written with no decimals may stand for up to 0.5: 0.05 is within its limits.
      'CFDI40181: a Retencion with Base 0',
      changed(
        ingresoWithRetencion,
        [
          conceptRetencion,
          conceptRetencion.replace('Base="2868.11"', 'Base="0"').replace('"286.81"', '"0.05"'),
        ],
        [summaryRetencion, summaryRetencion.replace('"286.81"', '"0.05"')],
        ['TotalImpuestosRetenidos="286.81"', 'TotalImpuestosRetenidos="0.05"'],
        [' Total="3040.20"', ' Total="3326.96"'],
      ),
      [RuleCodes.retencionBaseNotPositive],
    ],
    [
      'CFDI40182: a Retencion Impuesto not in c_Impuesto',
      changed(
        ingreso,
        addConceptRetencion(
          'Base="100.00" Impuesto="004" TipoFactor="Tasa" TasaOCuota="0.100000" Importe="10.00"',
        ),
      ),
      [RuleCodes.retencionImpuestoUnknown],
    ],
    [
      'CFDI40183: a Retencion TipoFactor not in c_TipoFactor',
      changed(
        ingreso,
        addConceptRetencion(
          'Base="100.00" Impuesto="001" TipoFactor="Libre" TasaOCuota="0.100000" Importe="10.00"',
        ),
      ),
      [RuleCodes.retencionTipoFactorUnknown],
    ],
    [
      'CFDI40184: an Exento Retencion',
      changed(
        ingreso,
        addConceptRetencion(
          'Base="100.00" Impuesto="001" TipoFactor="Exento" TasaOCuota="0.100000" Importe="10.00"',
        ),
      ),
      [RuleCodes.retencionExento],
    ],
    [
      "CFDI40185: an ISR withholding above c_TasaOCuota's range",
      changed(
        ingreso,
        addConceptRetencion(
          'Base="100.00" Impuesto="001" TipoFactor="Tasa" TasaOCuota="0.500000" Importe="50.00"',
        ),
      ),
      [RuleCodes.retencionTasaOCuotaUnknown],
    ],
    [
      'CFDI40186: a Retencion Importe outside the limits',
      changed(
        ingresoWithRetencion,
        [conceptRetencion, conceptRetencion.replace('"286.81"', '"287.00"')],
        [summaryRetencion, summaryRetencion.replace('"286.81"', '"287.00"')],
        ['TotalImpuestosRetenidos="286.81"', 'TotalImpuestosRetenidos="287.00"'],
        [' Total="3040.20"', ' Total="3040.01"'],
      ),
      [RuleCodes.retencionImporteOutOfLimits],
    ],
    [
      // c_TasaOCuota's IEPS Cuota range is valid from 2026-01-01; the ingreso is dated 2025-02-19.
      'a rate valid only after the Fecha, in the Concepto and in the summary',
      changed(
        ingreso,
        addConceptTraslado(
          'Base="100.00" Impuesto="003" TipoFactor="Cuota" TasaOCuota="1.000000" Importe="100.00"',
        ),
        addSummaryTraslado(
          'Base="100.00" Impuesto="003" TipoFactor="Cuota" TasaOCuota="1.000000" Importe="100.00"',
        ),
        ['TotalImpuestosTrasladados="458.90"', 'TotalImpuestosTrasladados="558.90"'],
        [' Total="3327.01"', ' Total="3427.01"'],
      ),
      [RuleCodes.catalogValueExpired, RuleCodes.catalogValueExpired],
    ],
  ])('%s', (_case, document, codes) => {
    expect(codesOf(document)).toEqual(codes);
  });
});
