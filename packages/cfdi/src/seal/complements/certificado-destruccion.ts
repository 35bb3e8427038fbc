import { apply, attributes, templateSet } from '../cadena-rules.js';

/** Certificado de destrucción, as SAT's certificadodedestruccion.xslt writes its cadena original. */
export const certificadoDestruccion = templateSet(
  'http://www.sat.gob.mx/certificadodestruccion',
  'certificadodestruccion/certificadodedestruccion.xslt',
  {
    certificadodedestruccion: [
      attributes('Version', 'Serie', 'NumFolDesVeh'),
      apply('VehiculoDestruido'),
      apply('InformacionAduanera'),
    ],
    VehiculoDestruido: [
      attributes(
        'Marca',
        'TipooClase',
        'Año',
        'Modelo?',
        'NIV?',
        'NumSerie?',
        'NumPlacas',
        'NumMotor?',
        'NumFolTarjCir',
      ),
    ],
    InformacionAduanera: [attributes('NumPedImp', 'Fecha', 'Aduana')],
  },
);
