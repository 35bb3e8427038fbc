import { apply, attributes, templateSet } from '../cadena-rules.js';

/** Gastos de hidrocarburos 1.0, as SAT's GastosHidrocarburos10.xslt writes its cadena original. */
export const gastosHidrocarburos10 = templateSet(
  'http://www.sat.gob.mx/GastosHidrocarburos10',
  'GastosHidrocarburos10/GastosHidrocarburos10.xslt',
  {
    GastosHidrocarburos: [attributes('Version', 'NumeroContrato', 'AreaContractual?'), apply('Erogacion')],
    Erogacion: [
      attributes('TipoErogacion', 'MontocuErogacion', 'Porcentaje'),
      apply('DocumentoRelacionado'),
      apply('Actividades'),
      apply('CentroCostos'),
    ],
    DocumentoRelacionado: [
      attributes(
        'OrigenErogacion',
        'FolioFiscalVinculado?',
        'RFCProveedor?',
        'MontoTotalIVA',
        'MontoRetencionISR?',
        'MontoRetencionIVA?',
        'MontoRetencionOtrosImpuestos?',
        'NumeroPedimentoVinculado?',
        'ClavePedimentoVinculado?',
        'ClavePagoPedimentoVinculado?',
        'MontoIVAPedimento?',
        'OtrosImpuestosPagadosPedimento?',
        'FechaFolioFiscalVinculado',
        'Mes',
        'MontoTotalErogaciones',
      ),
    ],
    Actividades: [attributes('ActividadRelacionada?'), apply('SubActividades')],
    SubActividades: [attributes('SubActividadRelacionada?'), apply('Tareas')],
    Tareas: [attributes('TareaRelacionada?')],
    CentroCostos: [attributes('Campo?'), apply('Yacimientos')],
    Yacimientos: [attributes('Yacimiento?'), apply('Pozos')],
    Pozos: [attributes('Pozo?')],
  },
);
