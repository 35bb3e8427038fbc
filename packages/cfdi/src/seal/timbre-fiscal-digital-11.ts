import { attributes, templateSet } from './cadena-rules.js';

/** TimbreFiscalDigital 1.1, as SAT's cadenaoriginal_TFD_1_1.xslt writes its cadena original. */
export const timbreFiscalDigital11 = templateSet(
  'http://www.sat.gob.mx/TimbreFiscalDigital',
  'TimbreFiscalDigital/cadenaoriginal_TFD_1_1.xslt',
  {
    TimbreFiscalDigital: [
      attributes(
        'Version',
        'UUID',
        'FechaTimbrado',
        'RfcProvCertif',
        'Leyenda?',
        'SelloCFD',
        'NoCertificadoSAT',
      ),
    ],
  },
);
