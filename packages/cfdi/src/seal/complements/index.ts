import type { TemplateSet } from '../cadena-rules.js';
import { aerolineas } from './aerolineas.js';
import { cartaPorte20 } from './carta-porte-20.js';
import { cartaPorte30 } from './carta-porte-30.js';
import { cartaPorte31 } from './carta-porte-31.js';
import { certificadoDestruccion } from './certificado-destruccion.js';
import { comercioExterior11 } from './comercio-exterior-11.js';
import { comercioExterior20 } from './comercio-exterior-20.js';
import { consumoDeCombustibles11 } from './consumo-de-combustibles-11.js';
import { divisas } from './divisas.js';
import { donatarias } from './donatarias.js';
import { estadoDeCuentaCombustible12 } from './estado-de-cuenta-combustible-12.js';
import { gastosHidrocarburos10 } from './gastos-hidrocarburos-10.js';
import { hidrocarburosPetroliferos } from './hidrocarburos-petroliferos.js';
import { impuestosLocales } from './impuestos-locales.js';
import { ine } from './ine.js';
import { ingresosHidrocarburos10 } from './ingresos-hidrocarburos-10.js';
import { institucionesEducativas } from './instituciones-educativas.js';
import { leyendasFiscales } from './leyendas-fiscales.js';
import { nomina12 } from './nomina-12.js';
import { notariosPublicos } from './notarios-publicos.js';
import { obrasArteAntiguedades } from './obras-arte-antiguedades.js';
import { pagoEnEspecie } from './pago-en-especie.js';
import { pagos20 } from './pagos-20.js';
import { personaFisicaIntegranteCoordinado } from './persona-fisica-integrante-coordinado.js';
import { registroFiscal } from './registro-fiscal.js';
import { renovacionSustitucionVehiculos } from './renovacion-sustitucion-vehiculos.js';
import { servicioParcialConstruccion } from './servicio-parcial-construccion.js';
import { turistaPasajeroExtranjero } from './turista-pasajero-extranjero.js';
import { valesDeDespensa } from './vales-de-despensa.js';
import { vehiculoUsado } from './vehiculo-usado.js';
import { ventaVehiculos } from './venta-vehiculos.js';

/**
 * The complements SAT's cadenaoriginal_4_0.xslt includes, each transcribed from its own XSLT. Not here:
 * detallista, whose XSLT writes element text, which the validator's element tree does not keep; a
 * document carrying it gets cadena_unsupported_complement.
 */
export const complementTemplates: readonly TemplateSet[] = [
  aerolineas,
  cartaPorte20,
  cartaPorte30,
  cartaPorte31,
  certificadoDestruccion,
  comercioExterior11,
  comercioExterior20,
  consumoDeCombustibles11,
  divisas,
  donatarias,
  estadoDeCuentaCombustible12,
  gastosHidrocarburos10,
  hidrocarburosPetroliferos,
  impuestosLocales,
  ine,
  ingresosHidrocarburos10,
  institucionesEducativas,
  leyendasFiscales,
  nomina12,
  notariosPublicos,
  obrasArteAntiguedades,
  pagoEnEspecie,
  pagos20,
  personaFisicaIntegranteCoordinado,
  registroFiscal,
  renovacionSustitucionVehiculos,
  servicioParcialConstruccion,
  turistaPasajeroExtranjero,
  valesDeDespensa,
  vehiculoUsado,
  ventaVehiculos,
];

/** Namespaces SAT's XSLT reads but this builder cannot, with the reason. */
export const unimplementedComplements: ReadonlyMap<string, string> = new Map([
  ['http://www.sat.gob.mx/detallista', 'detallista.xslt writes element text, which is not kept'],
]);
