import { apply, attributes, templateSet } from '../cadena-rules.js';

/** Aerolíneas, as SAT's aerolineas.xslt writes its cadena original. */
export const aerolineas = templateSet('http://www.sat.gob.mx/aerolineas', 'aerolineas/aerolineas.xslt', {
  Aerolineas: [attributes('Version', 'TUA'), apply('OtrosCargos')],
  OtrosCargos: [attributes('TotalCargos'), apply('Cargo')],
  Cargo: [attributes('CodigoCargo', 'Importe')],
});
