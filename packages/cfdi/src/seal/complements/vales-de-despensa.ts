import { apply, attributes, templateSet } from '../cadena-rules.js';

/** Vales de despensa, as SAT's valesdedespensa.xslt writes its cadena original. */
export const valesDeDespensa = templateSet(
  'http://www.sat.gob.mx/valesdedespensa',
  'valesdedespensa/valesdedespensa.xslt',
  {
    ValesDeDespensa: [
      attributes('version', 'tipoOperacion', 'registroPatronal?', 'numeroDeCuenta', 'total'),
      apply('Conceptos'),
    ],
    Conceptos: [apply('Concepto')],
    Concepto: [
      attributes('identificador', 'fecha', 'rfc', 'curp', 'nombre', 'numSeguridadSocial?', 'importe'),
    ],
  },
);
