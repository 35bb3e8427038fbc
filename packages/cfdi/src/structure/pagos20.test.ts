import { describe, expect, it } from 'vitest';
import { checkComprobanteStructure } from '../comprobante-structure.js';
import { defaultReadingLimits, parseDocument } from '../parse-document.js';
import { fixtureText, replaceOnce } from '../testing/fixtures.js';

// Pre-stamp tipo P with Pagos 2.0: two DoctoRelacionado with TrasladosDR, ImpuestosP with TrasladosP.
const valid = fixtureText('cfdiutils-created-cfdi40-pago20-valid.xml');
// Pagos 2.0 with RetencionesDR and TrasladosDR, ImpuestosP with RetencionesP and TrasladosP.
// Its missing Sello and Certificado (its only XSD defects) are filled in.
const withholdings = replaceOnce(
  fixtureText('cfdiutils-pagos20-calculator-002.xml'),
  ' LugarExpedicion="77516"',
  ' LugarExpedicion="77516" Sello="x" Certificado="x"',
);
const retencionesDR = /<pago20:RetencionesDR>[\s\S]*?<\/pago20:RetencionesDR>/.exec(withholdings)![0];
const pagos = '/cfdi:Comprobante/cfdi:Complemento/pago20:Pagos';
const pago = `${pagos}/pago20:Pago`;
const docto = `${pago}/pago20:DoctoRelacionado`;

type Change = [search: string, replacement: string];

function problemsOf(document: string, ...changes: Change[]): string[] {
  const changed = changes.reduce(
    (text, [search, replacement]) => replaceOnce(text, search, replacement),
    document,
  );
  const parsed = parseDocument(changed, defaultReadingLimits);
  if (!parsed.ok) throw new Error(parsed.problem.message);
  return checkComprobanteStructure(parsed.root).map((problem) => `${problem.code} ${problem.path}`);
}

const onPago = (attributes: string): Change => [
  'NumOperacion="963852"',
  `NumOperacion="963852" ${attributes}`,
];

describe('the Pagos 2.0 structure', () => {
  it('finds nothing wrong with a valid Pagos 2.0 complement', () => {
    expect(problemsOf(valid)).toEqual([]);
    expect(problemsOf(withholdings)).toEqual([]);
  });

  it.each<[string, Change[]]>([
    [
      'the optional Pago attributes',
      [
        onPago(
          `NomBancoOrdExt="Banco Uno" TipoCadPago="01" CertPago="QUJD" CadPago="a|b" SelloPago="QUJDRA=="`,
        ),
      ],
    ],
    ['a foreign ordering bank', [['RfcEmisorCtaOrd="BMI9704113PA"', 'RfcEmisorCtaOrd="XEXX010101000"']]],
    ['an installment of 999', [['NumParcialidad="2"', 'NumParcialidad="999"']]],
    [
      'a folio-style IdDocumento',
      [['IdDocumento="00000000-1111-2222-3333-00000000000A"', 'IdDocumento="123-45-678901234"']],
    ],
    [
      'an EquivalenciaDR with 10 decimals',
      [['EquivalenciaDR="1" NumParcialidad="2"', 'EquivalenciaDR="0.0000000001" NumParcialidad="2"']],
    ],
  ])('accepts %s', (_case, changes) => {
    expect(problemsOf(valid, ...changes)).toEqual([]);
  });

  it.each<[string, string, Change[], string[]]>([
    [
      'a Pagos of version 1.0',
      valid,
      [['<pago20:Pagos Version="2.0">', '<pago20:Pagos Version="1.0">']],
      [`attribute_invalid ${pagos}/@Version`],
    ],
    [
      'a missing Totales',
      valid,
      [[/<pago20:Totales [^>]*>/.exec(valid)![0], '']],
      [`element_required ${pagos}/pago20:Totales`],
    ],
    [
      'Totales after the Pago',
      valid,
      [
        [/<pago20:Totales [^>]*>/.exec(valid)![0], ''],
        ['</pago20:Pagos>', `${/<pago20:Totales [^>]*>/.exec(valid)![0]}</pago20:Pagos>`],
      ],
      [`element_out_of_order ${pagos}/pago20:Totales`],
    ],
    [
      'a MontoTotalPagos with 3 decimals',
      valid,
      [['MontoTotalPagos="15000.00"', 'MontoTotalPagos="15000.000"']],
      [`attribute_invalid ${pagos}/pago20:Totales/@MontoTotalPagos`],
    ],
    [
      'a Totales attribute of Pagos 1.0',
      valid,
      [['MontoTotalPagos="15000.00"', 'MontoTotalPagos="15000.00" TotalImpuestosRetenidos="0"']],
      [`attribute_unexpected ${pagos}/pago20:Totales/@TotalImpuestosRetenidos`],
    ],
    [
      'a Pago without FormaDePagoP',
      valid,
      [[' FormaDePagoP="03"', '']],
      [`attribute_required ${pago}/@FormaDePagoP`],
    ],
    [
      'a FechaPago without seconds',
      valid,
      [['FechaPago="2023-06-12T17:18:19"', 'FechaPago="2023-06-12T17:18"']],
      [`attribute_invalid ${pago}/@FechaPago`],
    ],
    [
      'a lower-case CtaOrdenante',
      valid,
      [['CtaOrdenante="0001970000"', 'CtaOrdenante="abc1970000"']],
      [`attribute_invalid ${pago}/@CtaOrdenante`],
    ],
    [
      'a beneficiary bank RFC of a person',
      valid,
      [['RfcEmisorCtaBen="BBA830831LJ2"', 'RfcEmisorCtaBen="CACX7605101P8"']],
      [`attribute_invalid ${pago}/@RfcEmisorCtaBen`],
    ],
    ['a TipoCadPago of 02', valid, [onPago('TipoCadPago="02"')], [`attribute_invalid ${pago}/@TipoCadPago`]],
    [
      'a CertPago that is not base64',
      valid,
      [onPago('CertPago="not base64!"')],
      [`attribute_invalid ${pago}/@CertPago`],
    ],
    [
      'a Pago without DoctoRelacionado',
      valid,
      [
        [
          /<pago20:DoctoRelacionado IdDocumento="00000000-1111-2222-3333-00000000000A"[\s\S]*?<\/pago20:DoctoRelacionado>\s*<pago20:DoctoRelacionado[\s\S]*?<\/pago20:DoctoRelacionado>/.exec(
            valid,
          )![0],
          '',
        ],
      ],
      [`element_required ${pago}/pago20:DoctoRelacionado`],
    ],
    [
      'an installment of 0',
      valid,
      [['NumParcialidad="2"', 'NumParcialidad="0"']],
      [`attribute_invalid ${docto}[1]/@NumParcialidad`],
    ],
    [
      'an installment with a leading zero',
      valid,
      [['NumParcialidad="2"', 'NumParcialidad="02"']],
      [`attribute_invalid ${docto}[1]/@NumParcialidad`],
    ],
    [
      'an IdDocumento of 35 characters',
      valid,
      [
        [
          'IdDocumento="00000000-1111-2222-3333-00000000000A"',
          'IdDocumento="00000000-1111-2222-3333-00000000000"',
        ],
      ],
      [`attribute_invalid ${docto}[1]/@IdDocumento`],
    ],
    [
      'an EquivalenciaDR of 0',
      valid,
      [['EquivalenciaDR="1" NumParcialidad="2"', 'EquivalenciaDR="0" NumParcialidad="2"']],
      [`attribute_invalid ${docto}[1]/@EquivalenciaDR`],
    ],
    [
      'a TrasladoDR without BaseDR',
      valid,
      [[' BaseDR="10344.83"', '']],
      [`attribute_required ${docto}[1]/pago20:ImpuestosDR/pago20:TrasladosDR/pago20:TrasladoDR/@BaseDR`],
    ],
    [
      'TrasladosDR before RetencionesDR',
      withholdings,
      [
        [retencionesDR, ''],
        ['</pago20:ImpuestosDR>', `${retencionesDR}</pago20:ImpuestosDR>`],
      ],
      [`element_out_of_order ${docto}/pago20:ImpuestosDR/pago20:RetencionesDR`],
    ],
    [
      'TrasladosP before RetencionesP',
      withholdings,
      [
        [/<pago20:RetencionesP>[\s\S]*?<\/pago20:RetencionesP>/.exec(withholdings)![0], ''],
        [
          '</pago20:ImpuestosP>',
          `${/<pago20:RetencionesP>[\s\S]*?<\/pago20:RetencionesP>/.exec(withholdings)![0]}</pago20:ImpuestosP>`,
        ],
      ],
      [`element_out_of_order ${pago}/pago20:ImpuestosP/pago20:RetencionesP`],
    ],
    [
      'a RetencionP with a BaseP',
      withholdings,
      [['<pago20:RetencionP ImpuestoP="002"', '<pago20:RetencionP BaseP="1" ImpuestoP="002"']],
      [`attribute_unexpected ${pago}/pago20:ImpuestosP/pago20:RetencionesP/pago20:RetencionP/@BaseP`],
    ],
    [
      'ImpuestosP before the DoctoRelacionado',
      withholdings,
      [
        [/<pago20:ImpuestosP>[\s\S]*<\/pago20:ImpuestosP>/.exec(withholdings)![0], ''],
        [
          '<pago20:DoctoRelacionado ',
          `${/<pago20:ImpuestosP>[\s\S]*<\/pago20:ImpuestosP>/.exec(withholdings)![0]}<pago20:DoctoRelacionado `,
        ],
      ],
      [`element_out_of_order ${docto}`],
    ],
    [
      'a Pago directly under the Complemento',
      valid,
      [['<pago20:Pagos Version="2.0">', '<pago20:Pago/><pago20:Pagos Version="2.0">']],
      ['element_unexpected /cfdi:Comprobante/cfdi:Complemento/pago20:Pago'],
    ],
    [
      'an element Pagos20.xsd does not define',
      valid,
      [['</pago20:Pago>', '<pago20:Nota/></pago20:Pago>']],
      [`element_unexpected ${pago}/pago20:Nota`],
    ],
  ])('reports %s', (_case, document, changes, expected) => {
    expect(problemsOf(document, ...changes)).toEqual(expected);
  });
});
