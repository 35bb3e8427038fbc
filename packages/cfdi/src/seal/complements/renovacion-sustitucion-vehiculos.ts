import { apply, attributes, templateSet } from '../cadena-rules.js';

/** Renovación y sustitución de vehículos, as SAT's renovacionysustitucionvehiculos.xslt writes its cadena original. */
export const renovacionSustitucionVehiculos = templateSet(
  'http://www.sat.gob.mx/renovacionysustitucionvehiculos',
  'renovacionysustitucionvehiculos/renovacionysustitucionvehiculos.xslt',
  {
    renovacionysustitucionvehiculos: [
      attributes('Version', 'TipoDeDecreto'),
      apply('DecretoRenovVehicular'),
      apply('DecretoSustitVehicular'),
    ],
    DecretoRenovVehicular: [
      attributes('VehEnaj'),
      apply('VehiculosUsadosEnajenadoPermAlFab'),
      apply('VehiculoNuvoSemEnajenadoFabAlPerm'),
    ],
    DecretoSustitVehicular: [
      attributes('VehEnaj'),
      apply('VehiculoUsadoEnajenadoPermAlFab'),
      apply('VehiculoNuvoSemEnajenadoFabAlPerm'),
    ],
    VehiculosUsadosEnajenadoPermAlFab: [
      attributes(
        'PrecioVehUsado',
        'TipoVeh',
        'Marca',
        'TipooClase',
        'Año',
        'Modelo?',
        'NIV?',
        'NumSerie?',
        'NumPlacas',
        'NumMotor?',
        'NumFolTarjCir',
        'NumPedIm?',
        'Aduana?',
        'FechaRegulVeh?',
        'Foliofiscal',
      ),
    ],
    VehiculoNuvoSemEnajenadoFabAlPerm: [attributes('Año', 'Modelo?', 'NumPlacas', 'RFC?')],
    VehiculoUsadoEnajenadoPermAlFab: [
      attributes(
        'PrecioVehUsado',
        'TipoVeh',
        'Marca',
        'TipooClase',
        'Año',
        'Modelo?',
        'NIV?',
        'NumSerie?',
        'NumPlacas',
        'NumMotor?',
        'NumFolTarjCir',
        'NumFolAvisoint',
        'NumPedIm',
        'Aduana',
        'FechaRegulVeh',
        'Foliofiscal',
      ),
    ],
  },
);
