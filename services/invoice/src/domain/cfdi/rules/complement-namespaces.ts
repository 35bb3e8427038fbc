/** Namespaces of the complements the rules read (namespaces.ts has those the validator resolves). */
export const ComplementNamespaces = {
  pagos20: 'http://www.sat.gob.mx/Pagos20',
  comercioExterior11: 'http://www.sat.gob.mx/ComercioExterior11',
  comercioExterior20: 'http://www.sat.gob.mx/ComercioExterior20',
} as const;
