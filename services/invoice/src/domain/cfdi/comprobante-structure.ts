import { AttributeFormats } from './attribute-formats.js';
import { Namespaces } from './namespaces.js';
import { type CfdiProblem, CfdiProblemCodes, cfdiProblem } from './problems.js';
import { type AttributeRule, checkAttributes, singleChild } from './structure-rules.js';
import { childElements, childPath, type XmlElement } from './xml-document.js';

// From cfdv40.xsd. Attributes typed by a SAT catalog (c_Moneda, c_RegimenFiscal, ...) are only
// required here; their values are checked against the catalogs by the next layer.
const comprobanteRules: AttributeRule[] = [
  { name: 'Version', required: true },
  {
    name: 'Fecha',
    required: true,
    format: AttributeFormats.fechaH,
    invalidCode: CfdiProblemCodes.fechaInvalid,
  },
  { name: 'Sello', required: true },
  { name: 'NoCertificado', required: true, format: AttributeFormats.certificateNumber },
  { name: 'Certificado', required: true },
  { name: 'SubTotal', required: true, format: AttributeFormats.importe },
  { name: 'Descuento', format: AttributeFormats.importe },
  { name: 'Moneda', required: true, format: AttributeFormats.currency },
  { name: 'Total', required: true, format: AttributeFormats.importe },
  { name: 'TipoDeComprobante', required: true },
  { name: 'Exportacion', required: true },
  { name: 'LugarExpedicion', required: true },
];

const emisorRules: AttributeRule[] = [
  { name: 'Rfc', required: true, format: AttributeFormats.rfc },
  { name: 'Nombre', required: true },
  { name: 'RegimenFiscal', required: true },
];

const receptorRules: AttributeRule[] = [
  { name: 'Rfc', required: true, format: AttributeFormats.rfc },
  { name: 'Nombre', required: true },
  { name: 'DomicilioFiscalReceptor', required: true, format: AttributeFormats.postalCode },
  { name: 'RegimenFiscalReceptor', required: true },
  { name: 'UsoCFDI', required: true },
];

const conceptoRules: AttributeRule[] = [
  { name: 'ClaveProdServ', required: true },
  { name: 'Cantidad', required: true, format: AttributeFormats.quantity },
  { name: 'ClaveUnidad', required: true },
  { name: 'Descripcion', required: true },
  { name: 'ValorUnitario', required: true, format: AttributeFormats.importe },
  { name: 'Importe', required: true, format: AttributeFormats.importe },
  { name: 'Descuento', format: AttributeFormats.importe },
  { name: 'ObjetoImp', required: true },
];

const impuestosRules: AttributeRule[] = [
  { name: 'TotalImpuestosTrasladados', format: AttributeFormats.importe },
  { name: 'TotalImpuestosRetenidos', format: AttributeFormats.importe },
];

// The local-taxes complement (implocal) takes part in the Total, so its totals are read too.
const impuestosLocalesRules: AttributeRule[] = [
  { name: 'TotaldeRetenciones', required: true, format: AttributeFormats.importe },
  { name: 'TotaldeTraslados', required: true, format: AttributeFormats.importe },
];

/**
 * Required attributes and children of a CFDI 4.0 Comprobante and the formats of the values this
 * layer relies on. Not the whole schema: child order and the complements are the next layer's.
 */
export function checkComprobanteStructure(comprobante: XmlElement): CfdiProblem[] {
  const problems = checkAttributes(comprobante, comprobanteRules);
  const cfdi = Namespaces.cfdi40;

  const emisor = singleChild(comprobante, cfdi, 'Emisor', true, problems);
  if (emisor) problems.push(...checkAttributes(emisor, emisorRules));
  const receptor = singleChild(comprobante, cfdi, 'Receptor', true, problems);
  if (receptor) problems.push(...checkAttributes(receptor, receptorRules));

  const conceptos = singleChild(comprobante, cfdi, 'Conceptos', true, problems);
  if (conceptos) {
    const items = childElements(conceptos, cfdi, 'Concepto');
    if (items.length === 0)
      problems.push(
        cfdiProblem(
          CfdiProblemCodes.elementRequired,
          childPath(conceptos, cfdi, 'Concepto'),
          'Conceptos must hold at least one Concepto',
        ),
      );
    for (const concepto of items) problems.push(...checkAttributes(concepto, conceptoRules));
  }

  const impuestos = singleChild(comprobante, cfdi, 'Impuestos', false, problems);
  if (impuestos) problems.push(...checkAttributes(impuestos, impuestosRules));

  const complemento = singleChild(comprobante, cfdi, 'Complemento', false, problems);
  for (const localTaxes of complemento ? localTaxesIn(complemento) : [])
    problems.push(...checkAttributes(localTaxes, impuestosLocalesRules));
  return problems;
}

export function localTaxesIn(complemento: XmlElement): XmlElement[] {
  return childElements(complemento, Namespaces.impuestosLocales, 'ImpuestosLocales');
}
