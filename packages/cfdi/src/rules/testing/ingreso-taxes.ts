import { type Change, changed, validDocuments } from './rule-documents.js';

// The valid ingreso's tax lines: IVA 16 % on a Base of 2868.11, in the Concepto and in the summary.
export const conceptTraslado =
  '<cfdi:Traslado Base="2868.11" Impuesto="002" TipoFactor="Tasa" TasaOCuota="0.160000" Importe="458.90"/>';
export const summaryTraslado =
  '<cfdi:Traslado Impuesto="002" TipoFactor="Tasa" TasaOCuota="0.160000" Importe="458.90" Base="2868.11"/>';
const conceptTrasladosEnd = '</cfdi:Traslados>\n      </cfdi:Impuestos>';

/** Another Traslado line in the Concepto, after IVA 16 %. */
export function addConceptTraslado(attributes: string): Change {
  return [conceptTraslado, `${conceptTraslado}<cfdi:Traslado ${attributes}/>`];
}

/** Another Traslado line in the Comprobante's Impuestos, after IVA 16 %. */
export function addSummaryTraslado(attributes: string): Change {
  return [summaryTraslado, `${summaryTraslado}<cfdi:Traslado ${attributes}/>`];
}

/** A Retencion in the Concepto, and nowhere else. */
export function addConceptRetencion(attributes: string): Change {
  return [
    conceptTrasladosEnd,
    `</cfdi:Traslados><cfdi:Retenciones><cfdi:Retencion ${attributes}/></cfdi:Retenciones>\n      </cfdi:Impuestos>`,
  ];
}

export const conceptRetencion =
  '<cfdi:Retencion Base="2868.11" Impuesto="001" TipoFactor="Tasa" TasaOCuota="0.100000" Importe="286.81"/>';
export const summaryRetencion = '<cfdi:Retencion Impuesto="001" Importe="286.81"/>';

/** The valid ingreso with ISR withheld at 10 %: 286.81 in the Concepto and the summary; Total 3040.20. */
export const ingresoWithRetencion = changed(
  validDocuments.ingreso,
  addConceptRetencion(
    'Base="2868.11" Impuesto="001" TipoFactor="Tasa" TasaOCuota="0.100000" Importe="286.81"',
  ),
  [
    '<cfdi:Impuestos TotalImpuestosTrasladados="458.90">',
    `<cfdi:Impuestos TotalImpuestosRetenidos="286.81" TotalImpuestosTrasladados="458.90"><cfdi:Retenciones>${summaryRetencion}</cfdi:Retenciones>`,
  ],
  [' Total="3327.01"', ' Total="3040.20"'],
);
