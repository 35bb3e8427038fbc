import { AttributeFormats as F } from '../attribute-formats.js';
import { Namespaces } from '../namespaces.js';
import { CfdiProblemCodes } from '../problems.js';
import {
  type AttributeRule,
  anyElement,
  child,
  defineElement,
  type ElementSchema,
} from '../structure-rules.js';
import { checkAddendaContent, checkComplementContent } from './complements.js';

// cfdv40.xsd as a table, element by element, children in the order its xs:sequence fixes. Attributes
// typed by a SAT catalog (catCFDI:c_*) are declared without a format: their values are the catalog
// layer's. c_CodigoPostal is the exception: its catalog is not shipped, and every key is 5 digits.
const cfdi = Namespaces.cfdi40;
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
  defineElement({ namespace: cfdi, localName, attributes, sequence });

const informacionGlobal = element('InformacionGlobal', [
  required('Periodicidad'),
  required('Meses'),
  required('Año', F.year),
]);

const cfdiRelacionado = element('CfdiRelacionado', [required('UUID', F.uuid)]);
const cfdiRelacionados = element(
  'CfdiRelacionados',
  [required('TipoRelacion')],
  [child(cfdiRelacionado, 1, unbounded)],
);

const emisor = element('Emisor', [
  required('Rfc', F.rfc),
  required('Nombre', F.text300),
  required('RegimenFiscal'),
  optional('FacAtrAdquirente', F.tenDigits),
]);

const receptor = element('Receptor', [
  required('Rfc', F.rfc),
  required('Nombre', F.text300),
  required('DomicilioFiscalReceptor', F.postalCode),
  optional('ResidenciaFiscal'),
  optional('NumRegIdTrib', F.anyText40),
  required('RegimenFiscalReceptor'),
  required('UsoCFDI'),
]);

// A Concepto's taxes: Traslados before Retenciones (the Comprobante's totals have them the other way).
const conceptoTraslado = element('Traslado', [
  required('Base', F.quantity),
  required('Impuesto'),
  required('TipoFactor'),
  optional('TasaOCuota', F.rate),
  optional('Importe', F.importe),
]);
const conceptoRetencion = element('Retencion', [
  required('Base', F.quantity),
  required('Impuesto'),
  required('TipoFactor'),
  required('TasaOCuota', F.rate),
  required('Importe', F.importe),
]);
const conceptoImpuestos = element(
  'Impuestos',
  [],
  [
    child(element('Traslados', [], [child(conceptoTraslado, 1, unbounded)]), 0),
    child(element('Retenciones', [], [child(conceptoRetencion, 1, unbounded)]), 0),
  ],
);

const aCuentaTerceros = element('ACuentaTerceros', [
  required('RfcACuentaTerceros', F.rfc),
  required('NombreACuentaTerceros', F.text300),
  required('RegimenFiscalACuentaTerceros'),
  required('DomicilioFiscalACuentaTerceros', F.postalCode),
]);
const informacionAduanera = element('InformacionAduanera', [
  required('NumeroPedimento', F.customsDeclaration),
]);
const cuentaPredial = element('CuentaPredial', [required('Numero', F.propertyTaxAccount)]);
const complementoConcepto = element('ComplementoConcepto', [], [anyElement(1, checkComplementContent)]);
const parte = element(
  'Parte',
  [
    required('ClaveProdServ'),
    optional('NoIdentificacion', F.text100),
    required('Cantidad', F.quantity),
    optional('Unidad', F.text20),
    required('Descripcion', F.text1000),
    optional('ValorUnitario', F.importe),
    optional('Importe', F.importe),
  ],
  [child(informacionAduanera, 0, unbounded)],
);

const concepto = element(
  'Concepto',
  [
    required('ClaveProdServ'),
    optional('NoIdentificacion', F.text100),
    required('Cantidad', F.quantity),
    required('ClaveUnidad'),
    optional('Unidad', F.text20),
    required('Descripcion', F.text1000),
    required('ValorUnitario', F.importe),
    required('Importe', F.importe),
    optional('Descuento', F.importe),
    required('ObjetoImp'),
  ],
  [
    child(conceptoImpuestos, 0),
    child(aCuentaTerceros, 0),
    child(informacionAduanera, 0, unbounded),
    child(cuentaPredial, 0, unbounded),
    child(complementoConcepto, 0),
    child(parte, 0, unbounded),
  ],
);
const conceptos = element('Conceptos', [], [child(concepto, 1, unbounded)]);

// The Comprobante's tax totals: Retenciones before Traslados.
const totalRetencion = element('Retencion', [required('Impuesto'), required('Importe', F.importe)]);
const totalTraslado = element('Traslado', [
  required('Base', F.importe),
  required('Impuesto'),
  required('TipoFactor'),
  optional('TasaOCuota', F.rate),
  optional('Importe', F.importe),
]);
const impuestos = element(
  'Impuestos',
  [optional('TotalImpuestosRetenidos', F.importe), optional('TotalImpuestosTrasladados', F.importe)],
  [
    child(element('Retenciones', [], [child(totalRetencion, 1, unbounded)]), 0),
    child(element('Traslados', [], [child(totalTraslado, 1, unbounded)]), 0),
  ],
);

const complemento = element('Complemento', [], [anyElement(0, checkComplementContent)]);
const addenda = element('Addenda', [], [anyElement(1, checkAddendaContent)]);

/** cfdi:Comprobante of cfdv40.xsd. Version's fixed 4.0 is what makes a document this schema's. */
export const comprobante40: ElementSchema = element(
  'Comprobante',
  [
    required('Version', F.version40),
    optional('Serie', F.text25),
    optional('Folio', F.text40),
    { name: 'Fecha', required: true, format: F.fechaH, invalidCode: CfdiProblemCodes.fechaInvalid },
    required('Sello'),
    optional('FormaPago'),
    required('NoCertificado', F.certificateNumber),
    required('Certificado'),
    optional('CondicionesDePago', F.text1000),
    required('SubTotal', F.importe),
    optional('Descuento', F.importe),
    required('Moneda', F.currency),
    optional('TipoCambio', F.quantity),
    required('Total', F.importe),
    required('TipoDeComprobante'),
    required('Exportacion'),
    optional('MetodoPago'),
    required('LugarExpedicion', F.postalCode),
    optional('Confirmacion', F.confirmation),
  ],
  [
    child(informacionGlobal, 0),
    child(cfdiRelacionados, 0, unbounded),
    child(emisor, 1),
    child(receptor, 1),
    child(conceptos, 1),
    child(impuestos, 0),
    child(complemento, 0),
    child(addenda, 0),
  ],
);
