import { apply, attributes, templateSet } from '../cadena-rules.js';

/** Vehículo usado, as SAT's vehiculousado.xslt writes its cadena original. */
export const vehiculoUsado = templateSet(
  'http://www.sat.gob.mx/vehiculousado',
  'vehiculousado/vehiculousado.xslt',
  {
    VehiculoUsado: [
      attributes(
        'Version',
        'montoAdquisicion',
        'montoEnajenacion',
        'claveVehicular',
        'marca',
        'tipo',
        'modelo',
        'numeroMotor?',
        'numeroSerie?',
        'NIV?',
        'valor',
      ),
      apply('InformacionAduanera'),
    ],
    InformacionAduanera: [attributes('numero', 'fecha', 'aduana?')],
  },
);
