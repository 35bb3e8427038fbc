import { attributes, templateSet } from '../cadena-rules.js';

/** Divisas, as SAT's divisas.xslt writes its cadena original. */
export const divisas = templateSet('http://www.sat.gob.mx/divisas', 'divisas/divisas.xslt', {
  Divisas: [attributes('version', 'tipoOperacion')],
});
