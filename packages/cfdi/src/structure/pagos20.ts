import { AttributeFormats as F } from '../attribute-formats.js';
import { Namespaces } from '../namespaces.js';
import { type AttributeRule, child, defineElement, type ElementSchema } from '../structure-rules.js';

/** The Pagos 2.0 complement's namespace (Pagos20.xsd). */
export const pagos20Namespace = Namespaces.pagos20;

// Pagos20.xsd as a table, as cfdi40.ts does cfdv40.xsd; catalog-typed attributes carry no format.
const unbounded = Number.POSITIVE_INFINITY;
const required = (name: string, format?: AttributeRule['format']): AttributeRule => ({
  name,
  required: true,
  ...(format ? { format } : {}),
});
const optional = (name: string, format?: AttributeRule['format']): AttributeRule => ({
  name,
  ...(format ? { format } : {}),
});
const element = (localName: string, attributes: AttributeRule[], sequence: ElementSchema['sequence'] = []) =>
  defineElement({ namespace: pagos20Namespace, localName, attributes, sequence });

const totales = element('Totales', [
  optional('TotalRetencionesIVA', F.importeMxn),
  optional('TotalRetencionesISR', F.importeMxn),
  optional('TotalRetencionesIEPS', F.importeMxn),
  optional('TotalTrasladosBaseIVA16', F.importeMxn),
  optional('TotalTrasladosImpuestoIVA16', F.importeMxn),
  optional('TotalTrasladosBaseIVA8', F.importeMxn),
  optional('TotalTrasladosImpuestoIVA8', F.importeMxn),
  optional('TotalTrasladosBaseIVA0', F.importeMxn),
  optional('TotalTrasladosImpuestoIVA0', F.importeMxn),
  optional('TotalTrasladosBaseIVAExento', F.importeMxn),
  required('MontoTotalPagos', F.importeMxn),
]);

// A related document's taxes: RetencionesDR before TrasladosDR.
const retencionDR = element('RetencionDR', [
  required('BaseDR', F.quantity),
  required('ImpuestoDR'),
  required('TipoFactorDR'),
  required('TasaOCuotaDR', F.rate),
  required('ImporteDR', F.importe),
]);
const trasladoDR = element('TrasladoDR', [
  required('BaseDR', F.quantity),
  required('ImpuestoDR'),
  required('TipoFactorDR'),
  optional('TasaOCuotaDR', F.rate),
  optional('ImporteDR', F.importe),
]);
const impuestosDR = element(
  'ImpuestosDR',
  [],
  [
    child(element('RetencionesDR', [], [child(retencionDR, 1, unbounded)]), 0),
    child(element('TrasladosDR', [], [child(trasladoDR, 1, unbounded)]), 0),
  ],
);
const doctoRelacionado = element(
  'DoctoRelacionado',
  [
    required('IdDocumento', F.relatedDocumentId),
    optional('Serie', F.text25),
    optional('Folio', F.text40),
    required('MonedaDR', F.currency),
    optional('EquivalenciaDR', F.equivalence),
    required('NumParcialidad', F.installment),
    required('ImpSaldoAnt', F.importe),
    required('ImpPagado', F.importe),
    required('ImpSaldoInsoluto', F.importe),
    required('ObjetoImpDR'),
  ],
  [child(impuestosDR, 0)],
);

const retencionP = element('RetencionP', [required('ImpuestoP'), required('ImporteP', F.importe)]);
const trasladoP = element('TrasladoP', [
  required('BaseP', F.importe),
  required('ImpuestoP'),
  required('TipoFactorP'),
  optional('TasaOCuotaP', F.rate),
  optional('ImporteP', F.importe),
]);
const impuestosP = element(
  'ImpuestosP',
  [],
  [
    child(element('RetencionesP', [], [child(retencionP, 1, unbounded)]), 0),
    child(element('TrasladosP', [], [child(trasladoP, 1, unbounded)]), 0),
  ],
);

const pago = element(
  'Pago',
  [
    required('FechaPago', F.fechaH),
    required('FormaDePagoP'),
    required('MonedaP', F.currency),
    optional('TipoCambioP', F.quantity),
    required('Monto', F.importe),
    optional('NumOperacion', F.text100Preserved),
    optional('RfcEmisorCtaOrd', F.rfcOrderingBank),
    optional('NomBancoOrdExt', F.text300),
    optional('CtaOrdenante', F.bankAccount),
    optional('RfcEmisorCtaBen', F.rfcPersonaMoral),
    optional('CtaBeneficiario', F.bankAccount),
    optional('TipoCadPago', F.paymentChainType),
    optional('CertPago', F.base64),
    optional('CadPago', F.anyText8192),
    optional('SelloPago', F.base64),
  ],
  [child(doctoRelacionado, 1, unbounded), child(impuestosP, 0)],
);

/** pago20:Pagos of Pagos20.xsd. */
export const pagos20: ElementSchema = element(
  'Pagos',
  [required('Version', F.version20)],
  [child(totales, 1), child(pago, 1, unbounded)],
);
