import { apply, attributes, each, templateSet } from '../cadena-rules.js';

/** Pagos 2.0, as SAT's Pagos20.xslt writes its cadena original. */
export const pagos20 = templateSet('http://www.sat.gob.mx/Pagos20', 'Pagos/Pagos20.xslt', {
  Pagos: [attributes('Version'), apply('Totales'), apply('Pago')],
  Totales: [
    attributes(
      'TotalRetencionesIVA?',
      'TotalRetencionesISR?',
      'TotalRetencionesIEPS?',
      'TotalTrasladosBaseIVA16?',
      'TotalTrasladosImpuestoIVA16?',
      'TotalTrasladosBaseIVA8?',
      'TotalTrasladosImpuestoIVA8?',
      'TotalTrasladosBaseIVA0?',
      'TotalTrasladosImpuestoIVA0?',
      'TotalTrasladosBaseIVAExento?',
      'MontoTotalPagos',
    ),
  ],
  Pago: [
    attributes(
      'FechaPago',
      'FormaDePagoP',
      'MonedaP',
      'TipoCambioP?',
      'Monto',
      'NumOperacion?',
      'RfcEmisorCtaOrd?',
      'NomBancoOrdExt?',
      'CtaOrdenante?',
      'RfcEmisorCtaBen?',
      'CtaBeneficiario?',
      'TipoCadPago?',
      'CertPago?',
      'CadPago?',
      'SelloPago?',
    ),
    apply('DoctoRelacionado'),
    apply('ImpuestosP'),
  ],
  DoctoRelacionado: [
    attributes(
      'IdDocumento',
      'Serie?',
      'Folio?',
      'MonedaDR',
      'EquivalenciaDR?',
      'NumParcialidad',
      'ImpSaldoAnt',
      'ImpPagado',
      'ImpSaldoInsoluto',
      'ObjetoImpDR',
    ),
    each('ImpuestosDR/RetencionesDR/RetencionDR', [
      attributes('BaseDR', 'ImpuestoDR', 'TipoFactorDR', 'TasaOCuotaDR', 'ImporteDR'),
    ]),
    each('ImpuestosDR/TrasladosDR/TrasladoDR', [
      attributes('BaseDR', 'ImpuestoDR', 'TipoFactorDR', 'TasaOCuotaDR?', 'ImporteDR?'),
    ]),
  ],
  ImpuestosP: [apply('RetencionesP'), apply('TrasladosP')],
  RetencionesP: [apply('RetencionP')],
  TrasladosP: [apply('TrasladoP')],
  RetencionP: [attributes('ImpuestoP', 'ImporteP')],
  TrasladoP: [attributes('BaseP', 'ImpuestoP', 'TipoFactorP', 'TasaOCuotaP?', 'ImporteP?')],
});
