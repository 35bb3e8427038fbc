import { attributes, templateSet } from '../cadena-rules.js';

/** Hidrocarburos y petrolíferos, as SAT's hidrocarburospetroliferos.xslt writes its cadena original. */
export const hidrocarburosPetroliferos = templateSet(
  'http://www.sat.gob.mx/hidrocarburospetroliferos',
  'HidrocarburosPetro/hidrocarburospetroliferos.xslt',
  {
    HidroYPetro: [attributes('Version', 'TipoPermiso', 'NumeroPermiso', 'ClaveHYP', 'SubProductoHYP')],
  },
);
