import { apply, attributes, templateSet } from '../cadena-rules.js';

/** Servicios parciales de construcción, as SAT's servicioparcialconstruccion.xslt writes its cadena original. */
export const servicioParcialConstruccion = templateSet(
  'http://www.sat.gob.mx/servicioparcialconstruccion',
  'servicioparcialconstruccion/servicioparcialconstruccion.xslt',
  {
    parcialesconstruccion: [attributes('Version', 'NumPerLicoAut'), apply('Inmueble')],
    Inmueble: [
      attributes(
        'Calle',
        'NoExterior?',
        'NoInterior?',
        'Colonia?',
        'Localidad?',
        'Referencia?',
        'Municipio',
        'Estado',
        'CodigoPostal',
      ),
    ],
  },
);
