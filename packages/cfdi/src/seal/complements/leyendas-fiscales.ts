import { apply, attributes, templateSet } from '../cadena-rules.js';

/** Leyendas fiscales, as SAT's leyendasFisc.xslt writes its cadena original. */
export const leyendasFiscales = templateSet(
  'http://www.sat.gob.mx/leyendasFiscales',
  'leyendasFiscales/leyendasFisc.xslt',
  {
    LeyendasFiscales: [attributes('version'), apply('Leyenda')],
    Leyenda: [attributes('disposicionFiscal?', 'norma?', 'textoLeyenda')],
  },
);
