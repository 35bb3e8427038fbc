import { apply, attributes, templateSet } from '../cadena-rules.js';

/** Ingresos de hidrocarburos 1.0, as SAT's IngresosHidrocarburos.xslt writes its cadena original. */
export const ingresosHidrocarburos10 = templateSet(
  'http://www.sat.gob.mx/IngresosHidrocarburos10',
  'IngresosHidrocarburos10/IngresosHidrocarburos.xslt',
  {
    IngresosHidrocarburos: [
      attributes('Version', 'NumeroContrato', 'ContraprestacionPagadaOperador', 'Porcentaje'),
      apply('DocumentoRelacionado'),
    ],
    DocumentoRelacionado: [attributes('FolioFiscalVinculado', 'FechaFolioFiscalVinculado', 'Mes')],
  },
);
