import { AttributeFormats } from '../attribute-formats.js';
import { Namespaces } from '../namespaces.js';
import type { ProblemSink } from '../problem-list.js';
import type { CfdiProblem } from '../problems.js';
import { StructureProblemCodes } from '../structure-codes.js';
import { checkElement, defineElement, type ElementSchema } from '../structure-rules.js';
import { childElements, type XmlElement } from '../xml-document.js';
import { pagos20, pagos20Namespace } from './pagos20.js';

/**
 * How far the platform reads a complement: 'understood' ones have their structure checked (and
 * their amounts used); 'known' ones are SAT complements for CFDI 4.0 passed through unchecked; any
 * other namespace is 'unknown', passed through too.
 */
export type ComplementSupport = 'understood' | 'known' | 'unknown';

export interface KnownComplement {
  namespace: string;
  /** Its root element, the only global element of its schema. */
  localName: string;
  title: string;
  support: Exclude<ComplementSupport, 'unknown'>;
}

// The local-taxes complement takes part in the Total, so its totals are read; the rest of its
// schema (RetencionesLocales, TrasladosLocales) is not held here.
const impuestosLocales = defineElement({
  namespace: Namespaces.impuestosLocales,
  localName: 'ImpuestosLocales',
  attributes: [
    { name: 'TotaldeRetenciones', required: true, format: AttributeFormats.importe },
    { name: 'TotaldeTraslados', required: true, format: AttributeFormats.importe },
  ],
  open: true,
});

const known = (
  namespace: string,
  localName: string,
  title: string,
  support: KnownComplement['support'] = 'known',
): KnownComplement => ({ namespace, localName, title, support });
const sat = (path: string) => `http://www.sat.gob.mx/${path}`;

/** The complements SAT's cadena original 4.0 includes, plus the stamp. */
export const knownComplements: readonly KnownComplement[] = [
  known(Namespaces.timbreFiscalDigital, 'TimbreFiscalDigital', 'Timbre Fiscal Digital 1.1', 'understood'),
  known(pagos20Namespace, 'Pagos', 'Pagos 2.0', 'understood'),
  known(Namespaces.impuestosLocales, 'ImpuestosLocales', 'Impuestos locales 1.0 (totals)', 'understood'),
  known(sat('nomina12'), 'Nomina', 'Nómina 1.2'),
  known(sat('ComercioExterior20'), 'ComercioExterior', 'Comercio Exterior 2.0'),
  known(sat('ComercioExterior11'), 'ComercioExterior', 'Comercio Exterior 1.1'),
  known(sat('CartaPorte31'), 'CartaPorte', 'Carta Porte 3.1'),
  known(sat('CartaPorte30'), 'CartaPorte', 'Carta Porte 3.0'),
  known(sat('CartaPorte20'), 'CartaPorte', 'Carta Porte 2.0'),
  known(sat('donat'), 'Donatarias', 'Donatarias 1.1'),
  known(sat('divisas'), 'Divisas', 'Divisas 1.0'),
  known(sat('leyendasFiscales'), 'LeyendasFiscales', 'Leyendas fiscales 1.0'),
  known(sat('pfic'), 'PFintegranteCoordinado', 'Persona física integrante de coordinado 1.0'),
  known(sat('TuristaPasajeroExtranjero'), 'TuristaPasajeroExtranjero', 'Turista pasajero extranjero 1.0'),
  known(sat('registrofiscal'), 'CFDIRegistroFiscal', 'CFDI registro fiscal 1.0'),
  known(sat('pagoenespecie'), 'PagoEnEspecie', 'Pago en especie 1.0'),
  known(sat('aerolineas'), 'Aerolineas', 'Aerolíneas 1.0'),
  known(sat('valesdedespensa'), 'ValesDeDespensa', 'Vales de despensa 1.0'),
  known(sat('notariospublicos'), 'NotariosPublicos', 'Notarios públicos 1.0'),
  known(sat('vehiculousado'), 'VehiculoUsado', 'Vehículo usado 1.0'),
  known(
    sat('servicioparcialconstruccion'),
    'parcialesconstruccion',
    'Servicios parciales de construcción 1.0',
  ),
  known(
    sat('renovacionysustitucionvehiculos'),
    'renovacionysustitucionvehiculos',
    'Renovación y sustitución de vehículos 1.0',
  ),
  known(sat('certificadodestruccion'), 'certificadodedestruccion', 'Certificado de destrucción 1.0'),
  known(sat('arteantiguedades'), 'obrasarteantiguedades', 'Obras de arte y antigüedades 1.0'),
  known(sat('ine'), 'INE', 'INE 1.1'),
  known(sat('iedu'), 'instEducativas', 'Instituciones educativas privadas 1.0'),
  known(sat('ventavehiculos'), 'VentaVehiculos', 'Venta de vehículos 1.1'),
  known(sat('detallista'), 'detallista', 'Detallista'),
  known(
    sat('EstadoDeCuentaCombustible12'),
    'EstadoDeCuentaCombustible',
    'Estado de cuenta de combustibles 1.2',
  ),
  known(sat('ConsumoDeCombustibles11'), 'ConsumoDeCombustibles', 'Consumo de combustibles 1.1'),
  known(sat('GastosHidrocarburos10'), 'GastosHidrocarburos', 'Gastos de hidrocarburos 1.0'),
  known(sat('IngresosHidrocarburos10'), 'IngresosHidrocarburos', 'Ingresos de hidrocarburos 1.0'),
  known(sat('hidrocarburospetroliferos'), 'HidroYPetro', 'Hidrocarburos y petrolíferos 1.0'),
];

const byNamespace = new Map(knownComplements.map((complement) => [complement.namespace, complement]));

// The stamp is checked by stamp.ts, which also decides whether the document counts as stamped.
const schemas = new Map<string, ElementSchema | 'checked-elsewhere'>([
  [Namespaces.timbreFiscalDigital, 'checked-elsewhere'],
  [pagos20Namespace, pagos20],
  [Namespaces.impuestosLocales, impuestosLocales],
]);

export function complementSupportOf(namespace: string | null): ComplementSupport {
  return (namespace !== null && byNamespace.get(namespace)?.support) || 'unknown';
}

/**
 * An element under Complemento or ComplementoConcepto (xs:any): an understood complement has its
 * structure checked; other namespaces pass. Elements of the CFDI namespace have no place there, and
 * neither does anything but the root element of an understood complement.
 */
export function checkComplementContent(element: XmlElement, problems: ProblemSink): void {
  if (element.namespace === Namespaces.cfdi40) {
    problems.push(unexpected(element, 'a CFDI element has no place inside a complement container'));
    return;
  }
  const schema = element.namespace === null ? undefined : schemas.get(element.namespace);
  if (schema === undefined) return;
  const rootName = byNamespace.get(element.namespace!)!.localName;
  if (element.localName !== rootName) {
    problems.push(unexpected(element, `the complement's root element is ${rootName}`));
    return;
  }
  if (schema !== 'checked-elsewhere') checkElement(element, schema, problems);
}

/** Anything goes in an Addenda: it is outside the seal and belongs to the parties. */
export function checkAddendaContent(): void {}

export interface ComplementEntry {
  path: string;
  namespace: string | null;
  localName: string;
  /** Where it was found. */
  container: 'Complemento' | 'ComplementoConcepto' | 'Addenda';
  support: ComplementSupport;
  /** SAT's name for it, when known. */
  title: string | null;
}

/** Every element directly under Complemento, each ComplementoConcepto and Addenda, with how far it is read. */
export function listComplements(comprobante: XmlElement): ComplementEntry[] {
  const cfdi = Namespaces.cfdi40;
  const entries: ComplementEntry[] = [];
  const add = (container: XmlElement, kind: ComplementEntry['container']) => {
    for (const element of container.children) {
      const complement = element.namespace === null ? undefined : byNamespace.get(element.namespace);
      entries.push({
        path: element.path,
        namespace: element.namespace,
        localName: element.localName,
        container: kind,
        support: complement?.support ?? 'unknown',
        title: complement?.title ?? null,
      });
    }
  };
  for (const conceptos of childElements(comprobante, cfdi, 'Conceptos'))
    for (const concepto of childElements(conceptos, cfdi, 'Concepto'))
      for (const container of childElements(concepto, cfdi, 'ComplementoConcepto'))
        add(container, 'ComplementoConcepto');
  for (const container of childElements(comprobante, cfdi, 'Complemento')) add(container, 'Complemento');
  for (const container of childElements(comprobante, cfdi, 'Addenda')) add(container, 'Addenda');
  return entries;
}

function unexpected(element: XmlElement, why: string): CfdiProblem {
  return { code: StructureProblemCodes.elementUnexpected, path: element.path, message: why };
}
