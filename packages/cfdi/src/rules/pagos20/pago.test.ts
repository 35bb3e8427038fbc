import { describe, expect, it } from 'vitest';
import { RuleCodes } from '../rule-codes.js';
import { changed, codesOf, validDocuments } from '../testing/rule-documents.js';

const { pago } = validDocuments;
// A transfer (03) of 15000.00 MXN from account 0001970000 to 0198005000, over 12000.00 + 3000.00.
const bankData =
  'RfcEmisorCtaOrd="BMI9704113PA" CtaOrdenante="0001970000" RfcEmisorCtaBen="BBA830831LJ2" CtaBeneficiario="0198005000"';
const paidInCash = (kept: string) =>
  [[bankData, kept] as const, ['FormaDePagoP="03"', 'FormaDePagoP="01"'] as const] as const;
const chain = 'TipoCadPago="01" CertPago="MIIB" CadPago="||1|SPEI||" SelloPago="MIIB"';
const withChain = (attributes: string) => [bankData, `${bankData} ${attributes}`] as const;

describe('a Pago of Pagos 2.0', () => {
  it.each([
    [
      'a FormaDePagoP not in c_FormaPago',
      changed(pago, ['FormaDePagoP="03"', 'FormaDePagoP="32"']),
      [RuleCodes.catalogValueUnknown],
    ],
    [
      'CRP20212: FormaDePagoP 99',
      changed(pago, ['FormaDePagoP="03"', 'FormaDePagoP="99"']),
      [RuleCodes.formaDePagoP99],
    ],
    [
      'a MonedaP not in c_Moneda',
      changed(pago, ['MonedaP="MXN"', 'MonedaP="MXP"']),
      [RuleCodes.catalogValueUnknown],
    ],
    [
      'CRP20213: MonedaP XXX',
      changed(pago, [
        'MonedaP="MXN" TipoCambioP="1" Monto="15000.00"',
        'MonedaP="XXX" TipoCambioP="1" Monto="15000"',
      ]),
      [RuleCodes.monedaPXxx],
    ],
    [
      'CRP20214: a MonedaP other than MXN without TipoCambioP',
      changed(pago, ['MonedaP="MXN" TipoCambioP="1"', 'MonedaP="USD"']),
      [RuleCodes.tipoCambioPRequired],
    ],
    [
      // The totals scale with the rate, so only the rate itself is wrong.
      'CRP20215: MXN at a TipoCambioP other than 1',
      changed(
        pago,
        ['TipoCambioP="1"', 'TipoCambioP="1.5"'],
        [
          'MontoTotalPagos="15000.00" TotalTrasladosBaseIVA16="12931.04" TotalTrasladosImpuestoIVA16="2068.96"',
          'MontoTotalPagos="22500.00" TotalTrasladosBaseIVA16="19396.56" TotalTrasladosImpuestoIVA16="3103.44"',
        ],
      ),
      [RuleCodes.tipoCambioPNotOne],
    ],
    [
      'CRP20217: documents paid more than the Monto',
      changed(pago, [
        'ImpPagado="3000.00" ImpSaldoInsoluto="7000.00"',
        'ImpPagado="3000.01" ImpSaldoInsoluto="6999.99"',
      ]),
      [RuleCodes.impPagadoExceedsMonto],
    ],
    [
      'CRP20218: a Monto of 0',
      changed(
        pago,
        ['Monto="15000.00"', 'Monto="0"'],
        ['MontoTotalPagos="15000.00"', 'MontoTotalPagos="0.00"'],
      ),
      [RuleCodes.montoNotPositive],
    ],
    [
      'CRP20219: a Monto with 3 decimals in MXN',
      changed(pago, ['Monto="15000.00"', 'Monto="15000.000"']),
      [RuleCodes.montoDecimals],
    ],
    [
      'CRP20221: an ordering bank for cash',
      changed(pago, ...paidInCash('RfcEmisorCtaOrd="BMI9704113PA"')),
      [RuleCodes.rfcEmisorCtaOrdNotAllowed],
    ],
    [
      'CRP20224: an ordering account for cash',
      changed(pago, ...paidInCash('CtaOrdenante="0001970000"')),
      [RuleCodes.ctaOrdenanteNotAllowed],
    ],
    [
      'CRP20227: a beneficiary bank for cash',
      changed(pago, ...paidInCash('RfcEmisorCtaBen="BBA830831LJ2"')),
      [RuleCodes.rfcEmisorCtaBenNotAllowed],
    ],
    [
      'CRP20228: a beneficiary account for cash',
      changed(pago, ...paidInCash('CtaBeneficiario="0198005000"')),
      [RuleCodes.ctaBeneficiarioNotAllowed],
    ],
    ['cash without bank data', changed(pago, ...paidInCash('')), []],
    [
      'CRP20225: an ordering account not in the transfer form',
      changed(pago, ['CtaOrdenante="0001970000"', 'CtaOrdenante="12345"']),
      [RuleCodes.ctaOrdenantePattern],
    ],
    [
      'CRP20226: a beneficiary account not in the transfer form',
      changed(pago, ['CtaBeneficiario="0198005000"', 'CtaBeneficiario="12345"']),
      [RuleCodes.ctaBeneficiarioPattern],
    ],
    [
      'CRP20223: a foreign ordering bank without its name',
      changed(pago, ['RfcEmisorCtaOrd="BMI9704113PA"', 'RfcEmisorCtaOrd="XEXX010101000"']),
      [RuleCodes.nomBancoOrdExtRequired],
    ],
    [
      'a foreign ordering bank with its name',
      changed(pago, [
        'RfcEmisorCtaOrd="BMI9704113PA"',
        'RfcEmisorCtaOrd="XEXX010101000" NomBancoOrdExt="BANK OF AMERICA"',
      ]),
      [],
    ],
    ['a transfer with its payment chain', changed(pago, withChain(chain)), []],
    [
      'CRP20229: a payment chain for an electronic purse',
      changed(pago, withChain(chain), ['FormaDePagoP="03"', 'FormaDePagoP="05"']),
      [RuleCodes.tipoCadPagoNotAllowed],
    ],
    [
      'CRP20230: a payment chain without CertPago',
      changed(pago, withChain(chain.replace(' CertPago="MIIB"', ''))),
      [RuleCodes.certPagoRequired],
    ],
    [
      'CRP20232: a payment chain without CadPago',
      changed(pago, withChain(chain.replace(' CadPago="||1|SPEI||"', ''))),
      [RuleCodes.cadPagoRequired],
    ],
    [
      'CRP20234: a payment chain without SelloPago',
      changed(pago, withChain(chain.replace(' SelloPago="MIIB"', ''))),
      [RuleCodes.selloPagoRequired],
    ],
    [
      'CRP20231: CertPago without a payment chain',
      changed(pago, withChain('CertPago="MIIB"')),
      [RuleCodes.certPagoNotAllowed],
    ],
    [
      'CRP20233: CadPago without a payment chain',
      changed(pago, withChain('CadPago="||1|SPEI||"')),
      [RuleCodes.cadPagoNotAllowed],
    ],
    [
      'CRP20235: SelloPago without a payment chain',
      changed(pago, withChain('SelloPago="MIIB"')),
      [RuleCodes.selloPagoNotAllowed],
    ],
  ])('%s', (_case, document, codes) => {
    expect(codesOf(document)).toEqual(codes);
  });
});
