import { attributes, templateSet } from '../cadena-rules.js';

/** CFDI registro fiscal, as SAT's cfdiregistrofiscal.xslt writes its cadena original. */
export const registroFiscal = templateSet(
  'http://www.sat.gob.mx/registrofiscal',
  'cfdiregistrofiscal/cfdiregistrofiscal.xslt',
  {
    CFDIRegistroFiscal: [attributes('Version', 'Folio')],
  },
);
