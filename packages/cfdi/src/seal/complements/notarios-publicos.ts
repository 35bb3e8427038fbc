import { apply, attributes, templateSet, when } from '../cadena-rules.js';

/** Notarios públicos, as SAT's notariospublicos.xslt writes its cadena original. */
export const notariosPublicos = templateSet(
  'http://www.sat.gob.mx/notariospublicos',
  'notariospublicos/notariospublicos.xslt',
  {
    NotariosPublicos: [
      attributes('Version'),
      apply('DescInmuebles'),
      apply('DatosOperacion'),
      apply('DatosNotario'),
      apply('DatosEnajenante'),
      apply('DatosAdquiriente'),
    ],
    DescInmuebles: [apply('DescInmueble')],
    DescInmueble: [
      attributes(
        'TipoInmueble',
        'Calle',
        'NoExterior?',
        'NoInterior?',
        'Colonia?',
        'Localidad?',
        'Referencia?',
        'Municipio',
        'Estado',
        'Pais',
        'CodigoPostal',
      ),
    ],
    DatosOperacion: [
      attributes('NumInstrumentoNotarial', 'FechaInstNotarial', 'MontoOperacion', 'Subtotal', 'IVA'),
    ],
    DatosNotario: [attributes('CURP', 'NumNotaria', 'EntidadFederativa', 'Adscripcion?')],
    DatosEnajenante: [
      attributes('CoproSocConyugalE'),
      when('DatosUnEnajenante', [apply('DatosUnEnajenante')]),
      when('DatosEnajenantesCopSC', [apply('DatosEnajenantesCopSC')]),
    ],
    DatosUnEnajenante: [attributes('Nombre', 'ApellidoPaterno', 'ApellidoMaterno?', 'RFC', 'CURP')],
    DatosEnajenantesCopSC: [apply('DatosEnajenanteCopSC')],
    DatosEnajenanteCopSC: [
      attributes('Nombre', 'ApellidoPaterno?', 'ApellidoMaterno?', 'RFC', 'CURP?', 'Porcentaje'),
    ],
    DatosAdquiriente: [
      attributes('CoproSocConyugalE'),
      when('DatosUnAdquiriente', [apply('DatosUnAdquiriente')]),
      when('DatosAdquirientesCopSC', [apply('DatosAdquirientesCopSC')]),
    ],
    DatosUnAdquiriente: [attributes('Nombre', 'ApellidoPaterno?', 'ApellidoMaterno?', 'RFC', 'CURP?')],
    DatosAdquirientesCopSC: [apply('DatosAdquirienteCopSC')],
    DatosAdquirienteCopSC: [
      attributes('Nombre', 'ApellidoPaterno?', 'ApellidoMaterno?', 'RFC', 'CURP?', 'Porcentaje'),
    ],
  },
);
