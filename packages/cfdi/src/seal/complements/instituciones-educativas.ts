import { attributes, templateSet } from '../cadena-rules.js';

/** Instituciones educativas privadas (iedu), as SAT's iedu.xslt writes its cadena original. */
export const institucionesEducativas = templateSet('http://www.sat.gob.mx/iedu', 'iedu/iedu.xslt', {
  instEducativas: [attributes('version', 'nombreAlumno', 'CURP', 'nivelEducativo', 'autRVOE', 'rfcPago?')],
});
