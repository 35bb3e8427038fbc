import { apply, attributes, templateSet, whenAttributeEquals } from '../cadena-rules.js';

/** Venta de vehículos 1.1, as SAT's ventavehiculos11.xslt writes its cadena original. */
export const ventaVehiculos = templateSet(
  'http://www.sat.gob.mx/ventavehiculos',
  'ventavehiculos/ventavehiculos11.xslt',
  {
    VentaVehiculos: [
      attributes('version', 'ClaveVehicular'),
      whenAttributeEquals('version', '1.1', [attributes('Niv')]),
      apply('//InformacionAduanera'),
    ],
    InformacionAduanera: [attributes('numero', 'fecha', 'aduana?')],
  },
);
