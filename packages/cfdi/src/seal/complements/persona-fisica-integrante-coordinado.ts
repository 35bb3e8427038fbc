import { attributes, templateSet } from '../cadena-rules.js';

/** Persona física integrante de coordinado (pfic), as SAT's pfic.xslt writes its cadena original. */
export const personaFisicaIntegranteCoordinado = templateSet('http://www.sat.gob.mx/pfic', 'pfic/pfic.xslt', {
  PFintegranteCoordinado: [attributes('version', 'ClaveVehicular', 'Placa', 'RFCPF?')],
});
