import { attributes, templateSet } from '../cadena-rules.js';

/** Donatarias 1.1, as SAT's donat11.xslt writes its cadena original. */
export const donatarias = templateSet('http://www.sat.gob.mx/donat', 'donat/donat11.xslt', {
  Donatarias: [attributes('version', 'noAutorizacion', 'fechaAutorizacion', 'leyenda')],
});
