/** Namespace URIs the validator resolves elements by; prefixes in a document are the author's choice. */
export const Namespaces = {
  cfdi40: 'http://www.sat.gob.mx/cfd/4',
  cfdi3: 'http://www.sat.gob.mx/cfd/3',
  timbreFiscalDigital: 'http://www.sat.gob.mx/TimbreFiscalDigital',
  retenciones1: 'http://www.sat.gob.mx/esquemas/retencionpago/1',
  retenciones2: 'http://www.sat.gob.mx/esquemas/retencionpago/2',
  impuestosLocales: 'http://www.sat.gob.mx/implocal',
  pagos20: 'http://www.sat.gob.mx/Pagos20',
  comercioExterior11: 'http://www.sat.gob.mx/ComercioExterior11',
  comercioExterior20: 'http://www.sat.gob.mx/ComercioExterior20',
  xml: 'http://www.w3.org/XML/1998/namespace',
} as const;

// Problem paths use the prefixes SAT writes, whatever the document chose, so a path names the same
// node in every document. Namespaces not listed keep the document's own prefix.
const satPrefixes = new Map<string, string>([
  [Namespaces.cfdi40, 'cfdi'],
  [Namespaces.cfdi3, 'cfdi'],
  [Namespaces.timbreFiscalDigital, 'tfd'],
  [Namespaces.retenciones1, 'retenciones'],
  [Namespaces.retenciones2, 'retenciones'],
  [Namespaces.impuestosLocales, 'implocal'],
  [Namespaces.pagos20, 'pago20'],
]);

export function satPrefixOf(namespace: string | null): string | undefined {
  return namespace === null ? undefined : satPrefixes.get(namespace);
}
