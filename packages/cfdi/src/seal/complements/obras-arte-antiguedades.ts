import { attributes, templateSet } from '../cadena-rules.js';

/** Obras de arte y antigüedades, as SAT's obrasarteantiguedades.xslt writes its cadena original. */
export const obrasArteAntiguedades = templateSet(
  'http://www.sat.gob.mx/arteantiguedades',
  'arteantiguedades/obrasarteantiguedades.xslt',
  {
    obrasarteantiguedades: [
      attributes(
        'Version',
        'TipoBien',
        'OtrosTipoBien?',
        'TituloAdquirido',
        'OtrosTituloAdquirido?',
        'Subtotal?',
        'IVA?',
        'FechaAdquisicion',
        'CaracterísticasDeObraoPieza',
      ),
    ],
  },
);
