import { apply, attributes, templateSet } from '../cadena-rules.js';

/** Turista pasajero extranjero, as SAT's TuristaPasajeroExtranjero.xslt writes its cadena original. */
export const turistaPasajeroExtranjero = templateSet(
  'http://www.sat.gob.mx/TuristaPasajeroExtranjero',
  'TuristaPasajeroExtranjero/TuristaPasajeroExtranjero.xslt',
  {
    TuristaPasajeroExtranjero: [
      attributes('version', 'fechadeTransito', 'tipoTransito'),
      apply('datosTransito'),
    ],
    datosTransito: [
      attributes('Via', 'TipoId', 'NumeroId', 'Nacionalidad', 'EmpresaTransporte', 'IdTransporte?'),
    ],
  },
);
