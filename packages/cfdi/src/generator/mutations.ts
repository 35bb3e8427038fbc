import { Decimal } from 'decimal.js';
import {
  assignPaths,
  cfdiChildren,
  cfdiElement,
  cloneTree,
  serializeDocument,
  type TreeElement,
} from './document-tree.js';
import type { GeneratedCfdi } from './generate-cfdi.js';
import { sealComprobante, signStamp, stampOf } from './seal-document.js';
import { pick, type Random } from './seeded-random.js';

/**
 * Which part of the validator must run for a mutation's code to appear: 'structure', 'arithmetic' and
 * 'seal' (Sello; the stamp's SelloSAT only when validateCfdi is given a certificate store holding the
 * stamp's PAC certificate) run today; 'rules' (SAT's rule matrix) once wired into validateCfdi.
 */
export type MutationLayer = 'structure' | 'arithmetic' | 'seal' | 'rules';

/** A change that breaks exactly one rule of a generated document. */
export interface CfdiMutation {
  name: string;
  /** The one problem code the validator must report for the mutated document. */
  expectedCode: string;
  layer: MutationLayer;
  /** Changes the tree in place; false when the document has nothing to break this way (no withholdings, no stamp). */
  apply(comprobante: TreeElement, random: Random): boolean;
  /**
   * Default true: the document is sealed (and stamped) again after the change, so the seal still
   * verifies and only the intended rule breaks. False for the mutations that break the seal itself.
   */
  reseal?: boolean;
}

/**
 * The document with the mutation applied (resealed unless the mutation says not), or undefined when
 * the mutation does not apply to it. `generated` is left as it was.
 */
export function mutateCfdi(
  generated: GeneratedCfdi,
  mutation: CfdiMutation,
  random: Random,
): string | undefined {
  const comprobante = cloneTree(generated.comprobante);
  if (!mutation.apply(comprobante, random)) return undefined;
  assignPaths(comprobante);
  if (mutation.reseal !== false) {
    sealComprobante(comprobante, generated.signing.credentials);
    if (generated.signing.stamp) signStamp(comprobante, generated.signing.stamp);
  }
  return serializeDocument(comprobante);
}

const cfdi = (parent: TreeElement | undefined, localName: string): TreeElement | undefined =>
  parent ? cfdiChildren(parent, localName)[0] : undefined;

function removeAttribute(
  path: (comprobante: TreeElement, random: Random) => TreeElement | undefined,
  name: string,
) {
  return (comprobante: TreeElement, random: Random) =>
    path(comprobante, random)?.attributes.delete(name) ?? false;
}

function setAttribute(
  path: (comprobante: TreeElement, random: Random) => TreeElement | undefined,
  name: string,
  value: (current: string) => string,
) {
  return (comprobante: TreeElement, random: Random) => {
    const element = path(comprobante, random);
    const current = element?.attributes.get(name);
    if (!element || current === undefined) return false;
    element.attributes.set(name, value(current));
    return true;
  };
}

const self = (comprobante: TreeElement) => comprobante;
const receptor = (comprobante: TreeElement) => cfdi(comprobante, 'Receptor');
const conceptosOf = (comprobante: TreeElement) => {
  const conceptos = cfdi(comprobante, 'Conceptos');
  return conceptos ? cfdiChildren(conceptos, 'Concepto') : [];
};
const anyConcepto = (comprobante: TreeElement, random: Random) => {
  const conceptos = conceptosOf(comprobante);
  return conceptos.length > 0 ? pick(random, conceptos) : undefined;
};
const anyConceptTransfer = (comprobante: TreeElement, random: Random) => {
  const transfers = conceptosOf(comprobante).flatMap((concepto) => {
    const traslados = cfdi(cfdi(concepto, 'Impuestos'), 'Traslados');
    return traslados ? cfdiChildren(traslados, 'Traslado') : [];
  });
  return transfers.length > 0 ? pick(random, transfers) : undefined;
};

/** Moves `later` before `earlier` when a parent has both; false otherwise. */
function swapChildren(parent: TreeElement | undefined, earlier: string, later: string): boolean {
  if (!parent) return false;
  const first = parent.children.findIndex((child) => child.localName === earlier);
  const second = parent.children.findIndex((child) => child.localName === later);
  if (first === -1 || second === -1) return false;
  const [moved] = parent.children.splice(second, 1);
  parent.children.splice(first, 0, moved!);
  return true;
}

function addCents(element: TreeElement, name: string, cents: number): void {
  const value = new Decimal(element.attributes.get(name)!).plus(new Decimal(cents).dividedBy(100));
  element.attributes.set(name, value.toFixed(2));
}

/**
 * Each breaks one rule and keeps everything else valid (resealing the document, keeping totals in
 * step). Rule-matrix mutations are added here with layer 'rules'.
 */
export const cfdiMutations: readonly CfdiMutation[] = [
  // Structure (cfdv40.xsd).
  {
    name: 'Exportacion removed',
    expectedCode: 'attribute_required',
    layer: 'structure',
    apply: removeAttribute(self, 'Exportacion'),
  },
  {
    name: 'UsoCFDI removed',
    expectedCode: 'attribute_required',
    layer: 'structure',
    apply: removeAttribute(receptor, 'UsoCFDI'),
  },
  {
    name: 'a Concepto without Descripcion',
    expectedCode: 'attribute_required',
    layer: 'structure',
    apply: removeAttribute(anyConcepto, 'Descripcion'),
  },
  {
    name: 'a Concepto transfer without Base',
    expectedCode: 'attribute_required',
    layer: 'structure',
    apply: removeAttribute(anyConceptTransfer, 'Base'),
  },
  {
    name: 'a receiver RFC with month 13',
    expectedCode: 'attribute_invalid',
    layer: 'structure',
    // The month follows the 3 (company) or 4 (person) letters and the 2 digits of the year.
    apply: setAttribute(receptor, 'Rfc', (rfc) => {
      const month = rfc.length - 7;
      return `${rfc.slice(0, month)}13${rfc.slice(month + 2)}`;
    }),
  },
  {
    name: 'a DomicilioFiscalReceptor of 4 digits',
    expectedCode: 'attribute_invalid',
    layer: 'structure',
    apply: setAttribute(receptor, 'DomicilioFiscalReceptor', (postalCode) => postalCode.slice(1)),
  },
  {
    name: 'a Serie of 26 characters',
    expectedCode: 'attribute_invalid',
    layer: 'structure',
    apply: setAttribute(self, 'Serie', () => 'S'.repeat(26)),
  },
  {
    name: 'a Descripcion with the cadena separator "|"',
    expectedCode: 'attribute_invalid',
    layer: 'structure',
    apply: setAttribute(anyConcepto, 'Descripcion', (description) => `${description} | extra`),
  },
  {
    name: 'a Fecha on 30 February',
    expectedCode: 'CFDI40101',
    layer: 'structure',
    apply: setAttribute(self, 'Fecha', (fecha) => `${fecha.slice(0, 4)}-02-30${fecha.slice(10)}`),
  },
  {
    name: 'an attribute cfdv40.xsd does not define on a Concepto',
    expectedCode: 'attribute_unexpected',
    layer: 'structure',
    apply: (comprobante, random) =>
      anyConcepto(comprobante, random)?.attributes.set('Comentario', 'no existe en el esquema') !== undefined,
  },
  {
    name: 'Receptor before Emisor',
    expectedCode: 'element_out_of_order',
    layer: 'structure',
    apply: (comprobante) => swapChildren(comprobante, 'Emisor', 'Receptor'),
  },
  {
    name: 'a Concepto withholding before its transfers',
    expectedCode: 'element_out_of_order',
    layer: 'structure',
    apply: (comprobante) =>
      conceptosOf(comprobante).some((concepto) =>
        swapChildren(cfdi(concepto, 'Impuestos'), 'Traslados', 'Retenciones'),
      ),
  },
  {
    name: 'total transfers before total withholdings',
    expectedCode: 'element_out_of_order',
    layer: 'structure',
    apply: (comprobante) => swapChildren(cfdi(comprobante, 'Impuestos'), 'Retenciones', 'Traslados'),
  },
  {
    name: 'a second Receptor',
    expectedCode: 'element_repeated',
    layer: 'structure',
    apply: (comprobante) => {
      const index = comprobante.children.findIndex((child) => child.localName === 'Receptor');
      if (index === -1) return false;
      comprobante.children.splice(index + 1, 0, cloneTree(comprobante.children[index]!));
      return true;
    },
  },
  {
    name: 'Receptor removed',
    expectedCode: 'element_required',
    layer: 'structure',
    apply: (comprobante) => {
      const before = comprobante.children.length;
      comprobante.children = comprobante.children.filter((child) => child.localName !== 'Receptor');
      return comprobante.children.length < before;
    },
  },
  {
    name: 'an element cfdv40.xsd does not define',
    expectedCode: 'element_unexpected',
    layer: 'structure',
    apply: (comprobante) => {
      const conceptos = comprobante.children.findIndex((child) => child.localName === 'Conceptos');
      comprobante.children.splice(conceptos + 1, 0, cfdiElement('Notas', { Texto: 'sin esquema' }));
      return true;
    },
  },
  {
    name: 'a stamp UUID cut short',
    expectedCode: 'attribute_invalid',
    layer: 'structure',
    apply: setAttribute(stampOf, 'UUID', (uuid) => uuid.slice(0, 23)),
  },

  // Arithmetic.
  {
    name: 'SubTotal one cent over the Conceptos, Total moved with it',
    expectedCode: 'CFDI40108',
    layer: 'arithmetic',
    apply: (comprobante) => {
      addCents(comprobante, 'SubTotal', 1);
      addCents(comprobante, 'Total', 1);
      return true;
    },
  },
  {
    name: 'Total one cent over',
    expectedCode: 'CFDI40119',
    layer: 'arithmetic',
    apply: (comprobante) => {
      addCents(comprobante, 'Total', 1);
      return true;
    },
  },

  // Seal: a value in the cadena original changed after sealing.
  {
    name: 'a Descripcion changed after sealing',
    expectedCode: 'CFDI40102',
    layer: 'seal',
    reseal: false,
    apply: setAttribute(anyConcepto, 'Descripcion', (description) => `${description} (corregido)`),
  },
  {
    name: 'the receiver Nombre changed after sealing',
    expectedCode: 'CFDI40102',
    layer: 'seal',
    reseal: false,
    apply: setAttribute(receptor, 'Nombre', (name) => `${name} SA`),
  },
  {
    name: 'the stamp UUID changed after stamping',
    expectedCode: 'stamp_seal_invalid',
    layer: 'seal',
    reseal: false,
    apply: setAttribute(stampOf, 'UUID', (uuid) => `${uuid.slice(0, -1)}${uuid.endsWith('0') ? '1' : '0'}`),
  },
];
