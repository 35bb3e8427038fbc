import { apply, attributes, templateSet } from '../cadena-rules.js';

/** Comercio Exterior 2.0, as SAT's ComercioExterior20.xslt writes its cadena original. */
export const comercioExterior20 = templateSet(
  'http://www.sat.gob.mx/ComercioExterior20',
  'ComercioExterior20/ComercioExterior20.xslt',
  {
    ComercioExterior: [
      attributes(
        'Version',
        'MotivoTraslado?',
        'ClaveDePedimento',
        'CertificadoOrigen',
        'NumCertificadoOrigen?',
        'NumeroExportadorConfiable?',
        'Incoterm?',
        'Observaciones?',
        'TipoCambioUSD',
        'TotalUSD',
      ),
      apply('Emisor'),
      apply('Propietario'),
      apply('Receptor'),
      apply('Destinatario'),
      apply('Mercancias'),
    ],
    Emisor: [attributes('Curp?'), apply('Domicilio')],
    Propietario: [attributes('NumRegIdTrib', 'ResidenciaFiscal')],
    Receptor: [attributes('NumRegIdTrib?'), apply('Domicilio')],
    Destinatario: [attributes('NumRegIdTrib?', 'Nombre?'), apply('Domicilio')],
    Mercancias: [apply('Mercancia')],
    Domicilio: [
      attributes(
        'Calle',
        'NumeroExterior?',
        'NumeroInterior?',
        'Colonia?',
        'Localidad?',
        'Referencia?',
        'Municipio?',
        'Estado',
        'Pais',
        'CodigoPostal',
      ),
    ],
    Mercancia: [
      attributes(
        'NoIdentificacion',
        'FraccionArancelaria?',
        'CantidadAduana?',
        'UnidadAduana?',
        'ValorUnitarioAduana?',
        'ValorDolares',
      ),
      apply('DescripcionesEspecificas'),
    ],
    DescripcionesEspecificas: [attributes('Marca', 'Modelo?', 'SubModelo?', 'NumeroSerie?')],
  },
);
