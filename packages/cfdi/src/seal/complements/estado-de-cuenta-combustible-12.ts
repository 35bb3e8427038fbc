import { apply, attributes, templateSet } from '../cadena-rules.js';

/** Estado de cuenta de combustibles 1.2, as SAT's ecc12.xslt writes its cadena original. */
export const estadoDeCuentaCombustible12 = templateSet(
  'http://www.sat.gob.mx/EstadoDeCuentaCombustible12',
  'EstadoDeCuentaCombustible/ecc12.xslt',
  {
    EstadoDeCuentaCombustible: [
      attributes('Version', 'TipoOperacion', 'NumeroDeCuenta', 'SubTotal', 'Total'),
      apply('Conceptos'),
    ],
    Conceptos: [apply('ConceptoEstadoDeCuentaCombustible')],
    Traslados: [apply('Traslado')],
    ConceptoEstadoDeCuentaCombustible: [
      attributes(
        'Identificador',
        'Fecha',
        'Rfc',
        'ClaveEstacion',
        'Cantidad',
        'TipoCombustible',
        'Unidad?',
        'NombreCombustible',
        'FolioOperacion',
        'ValorUnitario',
        'Importe',
      ),
      apply('Traslados'),
    ],
    Traslado: [attributes('Impuesto', 'TasaOCuota', 'Importe')],
  },
);
