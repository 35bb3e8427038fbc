import { attributes, each, templateSet } from '../cadena-rules.js';

/** Impuestos locales (implocal), as SAT's implocal.xslt writes its cadena original. */
export const impuestosLocales = templateSet('http://www.sat.gob.mx/implocal', 'implocal/implocal.xslt', {
  ImpuestosLocales: [
    attributes('version', 'TotaldeRetenciones', 'TotaldeTraslados'),
    each('RetencionesLocales', [attributes('ImpLocRetenido', 'TasadeRetencion', 'Importe')]),
    each('TrasladosLocales', [attributes('ImpLocTrasladado', 'TasadeTraslado', 'Importe')]),
  ],
});
