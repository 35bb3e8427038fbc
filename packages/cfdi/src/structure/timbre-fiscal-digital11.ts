import { AttributeFormats as F } from '../attribute-formats.js';
import { Namespaces } from '../namespaces.js';
import { defineElement, type ElementSchema } from '../structure-rules.js';

/** tfd:TimbreFiscalDigital of TimbreFiscalDigitalv11.xsd: attributes only, no children. */
export const timbreFiscalDigital11: ElementSchema = defineElement({
  namespace: Namespaces.timbreFiscalDigital,
  localName: 'TimbreFiscalDigital',
  attributes: [
    { name: 'Version', required: true, format: F.version11 },
    { name: 'UUID', required: true, format: F.uuid },
    { name: 'FechaTimbrado', required: true, format: F.fechaH },
    { name: 'RfcProvCertif', required: true, format: F.rfcPersonaMoral },
    { name: 'Leyenda', format: F.legend },
    { name: 'SelloCFD', required: true },
    { name: 'NoCertificadoSAT', required: true, format: F.certificateNumber },
    { name: 'SelloSAT', required: true },
  ],
});
