import { apply, attributes, templateSet } from '../cadena-rules.js';

/** INE 1.1, as SAT's ine11.xslt writes its cadena original. */
export const ine = templateSet('http://www.sat.gob.mx/ine', 'ine/ine11.xslt', {
  INE: [attributes('Version', 'TipoProceso', 'TipoComite?', 'IdContabilidad?'), apply('Entidad')],
  Entidad: [attributes('ClaveEntidad', 'Ambito?'), apply('Contabilidad')],
  Contabilidad: [attributes('IdContabilidad')],
});
