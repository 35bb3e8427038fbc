import { describe, expect, it } from 'vitest';
import { RuleCodes } from './rule-codes.js';
import { type Change, changed, codesOf, validDocuments } from './testing/rule-documents.js';

const { ingreso, ingresoUsd } = validDocuments;
// ingreso's one Concepto: Cantidad 4 × ValorUnitario 956.04, Importe 3824.15, Descuento 956.04, IVA 16 %.
const conceptEnd = '</cfdi:Impuestos>\n    </cfdi:Concepto>';
const appendToConcepto = (xml: string): Change => [
  conceptEnd,
  conceptEnd.replace('</cfdi:Concepto>', `${xml}</cfdi:Concepto>`),
];
const conceptImpuestos =
  '<cfdi:Impuestos>\n        <cfdi:Traslados>\n          <cfdi:Traslado Base="2868.11" Impuesto="002" TipoFactor="Tasa" TasaOCuota="0.160000" Importe="458.90"/>\n        </cfdi:Traslados>\n      </cfdi:Impuestos>';
const comprobanteImpuestos = /<cfdi:Impuestos TotalImpuestosTrasladados="458.90">[\s\S]*?<\/cfdi:Impuestos>/;
// Without taxes the Total is SubTotal − Descuento.
const withoutComprobanteImpuestos: Change[] = [
  [ingreso.text.match(comprobanteImpuestos)![0], ''],
  [' Total="3327.01"', ' Total="2868.11"'],
];

describe('the Conceptos', () => {
  it.each([
    [
      'CFDI40162: a ClaveProdServ not in c_ClaveProdServ',
      changed(ingreso, ['ClaveProdServ="52161557"', 'ClaveProdServ="52161599"']),
      [RuleCodes.claveProdServUnknown],
    ],
    [
      'CFDI40165: a ClaveUnidad not in c_ClaveUnidad',
      changed(ingreso, ['ClaveUnidad="H87"', 'ClaveUnidad="ZZZ"']),
      [RuleCodes.claveUnidadUnknown],
    ],
    [
      // A ValorUnitario of 0 written with no decimals may stand for up to 0.5: Importe stays within limits.
      'CFDI40166: a ValorUnitario of 0 in an Ingreso',
      changed(
        ingreso,
        ['Cantidad="4"', 'Cantidad="7648.3"'],
        ['ValorUnitario="956.04"', 'ValorUnitario="0"'],
      ),
      [RuleCodes.valorUnitarioNotPositive],
    ],
    [
      'CFDI40167: an Importe that is not Cantidad × ValorUnitario',
      changed(ingreso, ['Cantidad="4"', 'Cantidad="5"']),
      [RuleCodes.importeOutOfLimits],
    ],
    // 4 × 956.04 is 3824.16: Importe 3824.15 is within the limits even for factors written to 6 decimals.
    [
      'an Importe within the rounding limits of its factors',
      changed(
        ingreso,
        ['Cantidad="4"', 'Cantidad="4.000000"'],
        ['ValorUnitario="956.04"', 'ValorUnitario="956.040000"'],
      ),
      [],
    ],
    [
      'CFDI40167: an Importe outside the limits of factors written to 6 decimals',
      changed(
        ingreso,
        ['Cantidad="4"', 'Cantidad="4.000000"'],
        ['ValorUnitario="956.04"', 'ValorUnitario="956.050000"'],
      ),
      [RuleCodes.importeOutOfLimits],
    ],
    [
      'CFDI40168: a Descuento with more decimals than its Importe',
      changed(ingreso, ['Importe="3824.15" Descuento="956.04"', 'Importe="3824.15" Descuento="956.040"']),
      [RuleCodes.conceptDiscountDecimals],
    ],
    [
      'CFDI40169: a Descuento above its Importe',
      changed(ingreso, ['Importe="3824.15" Descuento="956.04"', 'Importe="3824.15" Descuento="3824.16"']),
      [RuleCodes.conceptDiscountExceedsImporte],
    ],
    [
      'CFDI40170: an ObjetoImp not in c_ObjetoImp',
      changed(ingreso, ['ObjetoImp="02"', 'ObjetoImp="09"']),
      [RuleCodes.objetoImpUnknown],
    ],
    [
      "CFDI40171: ObjetoImp 02 without the Concepto's Impuestos",
      changed(ingreso, [conceptImpuestos, ''], ...withoutComprobanteImpuestos),
      [RuleCodes.objetoImpRequiresImpuestos],
    ],
    [
      "CFDI40172: ObjetoImp 01 with the Concepto's Impuestos",
      changed(ingreso, ['ObjetoImp="02"', 'ObjetoImp="01"']),
      [RuleCodes.objetoImpForbidsImpuestos],
    ],
    [
      'CFDI40173: an empty Impuestos in a Concepto',
      changed(ingreso, [conceptImpuestos, '<cfdi:Impuestos/>'], ...withoutComprobanteImpuestos),
      [RuleCodes.conceptImpuestosEmpty],
    ],
    [
      "CFDI40191: a third party's regime not in c_RegimenFiscal",
      changed(
        ingreso,
        appendToConcepto(
          '<cfdi:ACuentaTerceros RfcACuentaTerceros="CACX7605101P8" NombreACuentaTerceros="XOCHILT CASAS CHAVEZ" RegimenFiscalACuentaTerceros="630" DomicilioFiscalACuentaTerceros="36257"/>',
        ),
      ),
      [RuleCodes.regimenFiscalTercerosUnknown],
    ],
    [
      "CFDI40196: a Parte's ClaveProdServ not in c_ClaveProdServ",
      changed(
        ingreso,
        appendToConcepto('<cfdi:Parte ClaveProdServ="52161599" Cantidad="1" Descripcion="Cable"/>'),
      ),
      [RuleCodes.parteClaveProdServUnknown],
    ],
    [
      'CFDI40197: a Parte with ValorUnitario 0',
      changed(
        ingreso,
        appendToConcepto(
          '<cfdi:Parte ClaveProdServ="52161557" Cantidad="1" Descripcion="Cable" ValorUnitario="0"/>',
        ),
      ),
      [RuleCodes.parteValorUnitarioNotPositive],
    ],
    [
      'CFDI40198: a Parte whose Importe is not Cantidad × ValorUnitario',
      changed(
        ingreso,
        appendToConcepto(
          '<cfdi:Parte ClaveProdServ="52161557" Cantidad="2" Descripcion="Cable" ValorUnitario="10.00" Importe="30.00"/>',
        ),
      ),
      [RuleCodes.parteImporteOutOfLimits],
    ],
    [
      'a Parte in order',
      changed(
        ingreso,
        appendToConcepto(
          '<cfdi:Parte ClaveProdServ="52161557" Cantidad="2" Descripcion="Cable" ValorUnitario="10.00" Importe="20.00"/>',
        ),
      ),
      [],
    ],
  ])('%s', (_case, document, codes) => {
    expect(codesOf(document)).toEqual(codes);
  });

  it('reads ClaveProdServ validity: a key that expired before the Fecha', () => {
    expect(codesOf(changed(ingreso, ['ClaveProdServ="52161557"', 'ClaveProdServ="15101506"']))).toEqual([
      RuleCodes.catalogValueExpired,
    ]);
  });

  it('reads ObjetoImp validity: a key not yet valid on the Fecha', () => {
    // ObjetoImp 08 is valid from 2024-12-13; ingresoUsd is dated 2023-06-18.
    expect(
      codesOf(
        changed(ingresoUsd, [
          'ValorUnitario="1000" Importe="1000" ObjetoImp="02"',
          'ValorUnitario="1000" Importe="1000" ObjetoImp="08"',
        ]),
      ),
    ).toEqual([RuleCodes.catalogValueExpired]);
  });
});
