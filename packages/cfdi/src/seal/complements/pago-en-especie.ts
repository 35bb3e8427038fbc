import { attributes, templateSet } from '../cadena-rules.js';

/** Pago en especie, as SAT's pagoenespecie.xslt writes its cadena original. */
export const pagoEnEspecie = templateSet(
  'http://www.sat.gob.mx/pagoenespecie',
  'pagoenespecie/pagoenespecie.xslt',
  {
    PagoEnEspecie: [
      attributes(
        'Version',
        'CvePIC',
        'FolioSolDon',
        'PzaArtNombre',
        'PzaArtTecn',
        'PzaArtAProd',
        'PzaArtDim',
      ),
    ],
  },
);
