import type { AttributeFormat } from './attribute-formats.js';
import { satPrefixOf } from './namespaces.js';
import type { ProblemSink } from './problem-list.js';
import { type CfdiProblemCode, CfdiProblemCodes, cfdiProblem, quoted } from './problems.js';
import { StructureProblemCodes } from './structure-codes.js';
import { attributePath, type XmlElement } from './xml-document.js';

/** What the schema says of one attribute: whether it must be there, and what it must look like. */
export interface AttributeRule {
  name: string;
  required?: boolean;
  /** Absent for values typed by a SAT catalog: the catalog layer checks those. */
  format?: AttributeFormat;
  /** The code for a value in the wrong format, when SAT has one for exactly this attribute. */
  invalidCode?: CfdiProblemCode;
}

/** One xs:element or xs:any of an xs:sequence, with its minOccurs and maxOccurs. */
export type Particle =
  | { kind: 'element'; element: ElementSchema; min: number; max: number }
  | { kind: 'any'; min: number; max: number; check: (element: XmlElement, problems: ProblemSink) => void };

/** An element declaration: its attributes and the xs:sequence of its children. */
export interface ElementSchema {
  readonly namespace: string;
  readonly localName: string;
  readonly attributes: readonly AttributeRule[];
  readonly sequence: readonly Particle[];
  /**
   * Only the listed attributes are checked; other attributes and children pass. For a complement the
   * platform reads a few values of without holding its whole schema.
   */
  readonly open: boolean;
  readonly attributeNames: ReadonlySet<string>;
  /** Index in `sequence` of the particle a child of this namespace and name belongs to. */
  readonly particleIndex: ReadonlyMap<string, ReadonlyMap<string, number>>;
  /** Index of the xs:any particle, which takes every child no element particle names; -1 if none. */
  readonly wildcardIndex: number;
}

export interface ElementDefinition {
  namespace: string;
  localName: string;
  attributes?: readonly AttributeRule[];
  sequence?: readonly Particle[];
  open?: boolean;
}

/** An element declaration with its lookups built once, so checking a node compiles nothing. */
export function defineElement(definition: ElementDefinition): ElementSchema {
  const sequence = definition.sequence ?? [];
  const particleIndex = new Map<string, Map<string, number>>();
  sequence.forEach((particle, index) => {
    if (particle.kind !== 'element') return;
    const { namespace, localName } = particle.element;
    const byName = particleIndex.get(namespace) ?? new Map<string, number>();
    byName.set(localName, index);
    particleIndex.set(namespace, byName);
  });
  const attributes = definition.attributes ?? [];
  return {
    namespace: definition.namespace,
    localName: definition.localName,
    attributes,
    sequence,
    open: definition.open ?? false,
    attributeNames: new Set(attributes.map((rule) => rule.name)),
    particleIndex,
    wildcardIndex: sequence.findIndex((particle) => particle.kind === 'any'),
  };
}

/** xs:element with minOccurs/maxOccurs; `max` defaults to 1, Infinity for unbounded. */
export function child(element: ElementSchema, min: number, max = 1): Particle {
  return { kind: 'element', element, min, max };
}

/** xs:any; `check` decides what a foreign element in that place means. */
export function anyElement(
  min: number,
  check: (element: XmlElement, problems: ProblemSink) => void,
): Particle {
  return { kind: 'any', min, max: Number.POSITIVE_INFINITY, check };
}

export interface CheckOptions {
  /** Attributes a caller checks itself (the stamp's Version decides whether a document is stamped). */
  attributesCheckedElsewhere?: readonly string[];
}

/**
 * The element and everything under it against its declaration: missing, malformed and unknown
 * attributes; missing, repeated, unknown and out-of-order children. Recursion follows the schema,
 * so its depth is the schema's, whatever the document's.
 */
export function checkElement(
  element: XmlElement,
  schema: ElementSchema,
  problems: ProblemSink,
  options: CheckOptions = {},
): void {
  checkAttributes(element, schema, problems, options.attributesCheckedElsewhere);
  if (!schema.open) checkChildren(element, schema, problems);
}

function checkAttributes(
  element: XmlElement,
  schema: ElementSchema,
  problems: ProblemSink,
  skipped: readonly string[] | undefined,
): void {
  let known = 0;
  for (const rule of schema.attributes) {
    const value = element.attributes.get(rule.name);
    if (value !== undefined) known++;
    if (skipped?.includes(rule.name)) continue;
    // An empty required value counts as missing.
    if (value === undefined || (rule.required && value === '')) {
      if (rule.required)
        problems.push(
          cfdiProblem(
            CfdiProblemCodes.attributeRequired,
            attributePath(element, rule.name),
            `${rule.name} is required and must not be empty`,
          ),
        );
    } else if (rule.format && !rule.format.matches(value)) {
      problems.push(
        cfdiProblem(
          rule.invalidCode ?? CfdiProblemCodes.attributeInvalid,
          attributePath(element, rule.name),
          `${rule.name} ${quoted(value)} must be ${rule.format.description}`,
        ),
      );
    }
  }
  if (schema.open || known === element.attributes.size) return;
  for (const name of element.attributes.keys())
    if (!schema.attributeNames.has(name))
      problems.push({
        code: StructureProblemCodes.attributeUnexpected,
        path: attributePath(element, name),
        message: `${quoted(name)} is not an attribute of ${schema.localName}`,
      });
}

function checkChildren(element: XmlElement, schema: ElementSchema, problems: ProblemSink): void {
  const { sequence } = schema;
  const counts = sequence.length === 0 ? undefined : new Array<number>(sequence.length).fill(0);
  // The furthest particle reached: a child of an earlier one is out of order.
  let position = 0;
  for (const node of element.children) {
    const index = schema.particleIndex.get(node.namespace ?? '')?.get(node.localName) ?? schema.wildcardIndex;
    const particle = sequence[index];
    if (particle === undefined || counts === undefined) {
      problems.push({
        code: StructureProblemCodes.elementUnexpected,
        path: node.path,
        message: `${nameOf(node)} has no place in ${schema.localName}`,
      });
      continue;
    }
    if (counts[index]! >= particle.max) {
      problems.push(
        cfdiProblem(
          CfdiProblemCodes.elementRepeated,
          node.path,
          `only one ${node.localName} is allowed in ${schema.localName}`,
        ),
      );
      continue;
    }
    counts[index]!++;
    if (index < position)
      problems.push({
        code: StructureProblemCodes.elementOutOfOrder,
        path: node.path,
        message: `${node.localName} must come before ${nameOfParticle(sequence[position]!)}`,
      });
    else position = index;
    if (particle.kind === 'element') checkElement(node, particle.element, problems);
    else particle.check(node, problems);
  }
  sequence.forEach((particle, index) => {
    if (counts![index]! >= particle.min) return;
    problems.push(
      particle.kind === 'element'
        ? cfdiProblem(
            CfdiProblemCodes.elementRequired,
            missingChildPath(element, particle.element),
            `${schema.localName} must contain ${particle.element.localName}`,
          )
        : cfdiProblem(
            CfdiProblemCodes.elementRequired,
            `${element.path}/*`,
            `${schema.localName} must contain at least one element`,
          ),
    );
  });
}

// Where a missing child would be, with the prefix SAT writes or, failing that, the parent's own.
function missingChildPath(parent: XmlElement, schema: ElementSchema): string {
  const prefix =
    satPrefixOf(schema.namespace) ?? (parent.namespace === schema.namespace ? prefixInPath(parent.path) : '');
  return `${parent.path}/${prefix === '' ? '' : `${prefix}:`}${schema.localName}`;
}

function prefixInPath(path: string): string {
  const step = path.slice(path.lastIndexOf('/') + 1);
  const colon = step.indexOf(':');
  return colon === -1 ? '' : step.slice(0, colon);
}

const positionSuffix = /\[\d+\]$/;

function nameOf(element: XmlElement): string {
  const step = element.path.slice(element.path.lastIndexOf('/') + 1).replace(positionSuffix, '');
  return element.namespace === null ? step : `${step} (${quoted(element.namespace)})`;
}

function nameOfParticle(particle: Particle): string {
  return particle.kind === 'element' ? particle.element.localName : 'the elements of other namespaces';
}
