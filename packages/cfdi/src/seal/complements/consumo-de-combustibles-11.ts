import { apply, attributes, templateSet } from '../cadena-rules.js';

/** Consumo de combustibles 1.1, as SAT's consumodeCombustibles11.xslt writes its cadena original. */
export const consumoDeCombustibles11 = templateSet(
  'http://www.sat.gob.mx/ConsumoDeCombustibles11',
  'consumodecombustibles/consumodeCombustibles11.xslt',
  {
    ConsumoDeCombustibles: [
      attributes('version', 'tipoOperacion', 'numeroDeCuenta', 'subTotal?', 'total'),
      apply('Conceptos'),
    ],
    Conceptos: [apply('ConceptoConsumoDeCombustibles')],
    ConceptoConsumoDeCombustibles: [
      attributes(
        'identificador',
        'fecha',
        'rfc',
        'claveEstacion',
        'tipoCombustible',
        'cantidad',
        'nombreCombustible',
        'folioOperacion',
        'valorUnitario',
        'importe',
      ),
      apply('Determinados'),
    ],
    Determinados: [apply('Determinado')],
    Determinado: [attributes('impuesto', 'tasaOCuota', 'importe')],
  },
);
