import type { XmlElement } from '../xml-document.js';

/**
 * SAT writes every cadena-original XSLT in the same small subset of XSLT: one template per element,
 * holding attribute values (templates Requerido and Opcional), loops over child paths
 * (xsl:for-each), applying the template of each selected element (xsl:apply-templates) and a few
 * xsl:if. A rule here is one of those instructions, so each rule file reads line by line against its
 * XSLT. The rules are compiled once, at module load, into closures.
 */
export type Instruction =
  | { readonly kind: 'attributes'; readonly fields: readonly Field[] }
  | { readonly kind: 'each'; readonly path: string; readonly body: readonly Instruction[] }
  | { readonly kind: 'apply'; readonly path: string }
  | { readonly kind: 'when'; readonly path: string; readonly body: readonly Instruction[] }
  | {
      readonly kind: 'whenAttributeEquals';
      readonly name: string;
      readonly value: string;
      readonly body: readonly Instruction[];
    };

/** Requerido writes "|" and the value even when the attribute is absent; Opcional writes nothing then. */
export interface Field {
  readonly name: string;
  readonly required: boolean;
}

/** The templates of one XSLT, by the local name of the element each matches, all in one namespace. */
export interface TemplateSet {
  readonly namespace: string;
  /** The XSLT transcribed, under SAT's sitio_internet/cfd/. */
  readonly source: string;
  readonly templates: Readonly<Record<string, readonly Instruction[]>>;
}

export function templateSet(
  namespace: string,
  source: string,
  templates: Record<string, readonly Instruction[]>,
): TemplateSet {
  return { namespace, source, templates };
}

/** Attribute values in the XSLT's order; a name ending in "?" is Opcional, any other Requerido. */
export function attributes(...names: string[]): Instruction {
  return {
    kind: 'attributes',
    fields: names.map((name) =>
      name.endsWith('?') ? { name: name.slice(0, -1), required: false } : { name, required: true },
    ),
  };
}

/**
 * Paths are relative to the current element and name elements of the set's own namespace:
 * `Child`, `Child/Grandchild`, `//Descendant` (XPath `.//`) or `*` (any child element).
 */
export function each(path: string, body: readonly Instruction[]): Instruction {
  return { kind: 'each', path, body };
}

export function apply(path: string): Instruction {
  return { kind: 'apply', path };
}

/** `xsl:if test="./Child"`: the body runs once, on the current element, when such a child exists. */
export function when(path: string, body: readonly Instruction[]): Instruction {
  return { kind: 'when', path, body };
}

export function whenAttributeEquals(name: string, value: string, body: readonly Instruction[]): Instruction {
  return { kind: 'whenAttributeEquals', name, value, body };
}

/** Writes an element's fields; what a compiled template or instruction is. */
export type Emitter = (element: XmlElement, fields: string[]) => void;

/** An element some rule applies templates to, for which no template exists. */
export class NoTemplate extends Error {
  constructor(readonly element: XmlElement) {
    super(`no cadena template for ${element.path}`);
  }
}

/** Templates by namespace and local name, as XSLT matches them: wherever the element appears. */
export class CompiledTemplates {
  private readonly byNamespace = new Map<string | null, Map<string, Emitter>>();

  constructor(sets: readonly TemplateSet[]) {
    for (const set of sets) {
      const templates = this.byNamespace.get(set.namespace) ?? new Map<string, Emitter>();
      this.byNamespace.set(set.namespace, templates);
      for (const [localName, body] of Object.entries(set.templates)) {
        if (templates.has(localName))
          throw new Error(`two cadena templates for {${set.namespace}}${localName}`);
        templates.set(localName, compileBody(body, set.namespace, this));
      }
    }
  }

  has(namespace: string | null, localName: string): boolean {
    return this.byNamespace.get(namespace)?.has(localName) ?? false;
  }

  /** Applies the element's template; throws NoTemplate when there is none. */
  readonly emit: Emitter = (element, fields) => {
    const template = this.byNamespace.get(element.namespace)?.get(element.localName);
    if (template === undefined) throw new NoTemplate(element);
    template(element, fields);
  };
}

/** `||` + the fields separated by `|` + `||`, as the XSLT's root template and Requerido/Opcional write it. */
export function cadenaOf(fields: readonly string[]): string {
  return fields.length === 0 ? '|||' : `||${fields.join('|')}||`;
}

const collapsible = /[\t\n\r]| {2}|^ | $/;
const whitespaceRuns = /[ \t\n\r]+/g;
const edgeSpace = /^ | $/g;

/**
 * XPath normalize-space: runs of XML whitespace (space, tab, CR, LF) become one space, and the ends
 * are trimmed. Not String.prototype.trim, which also strips no-break and other Unicode spaces that
 * the XSLT keeps.
 */
export function normalizeSpace(value: string): string {
  if (!isCollapsible(value)) return value;
  return value.replace(whitespaceRuns, ' ').replace(edgeSpace, '');
}

/** `collapsible.test(value)`; a short value, which nearly every field is, in a loop that costs less. */
function isCollapsible(value: string): boolean {
  if (value.length > 64) return collapsible.test(value);
  const last = value.length - 1;
  let afterSpace = false;
  for (let index = 0; index <= last; index++) {
    const code = value.charCodeAt(index);
    if (code === 0x20) {
      if (afterSpace || index === 0 || index === last) return true;
      afterSpace = true;
    } else {
      if (code === 0x09 || code === 0x0a || code === 0x0d) return true;
      afterSpace = false;
    }
  }
  return false;
}

function compileBody(body: readonly Instruction[], namespace: string, templates: CompiledTemplates): Emitter {
  const steps = body.map((instruction) => compileInstruction(instruction, namespace, templates));
  if (steps.length === 1) return steps[0]!;
  return (element, fields) => {
    for (const step of steps) step(element, fields);
  };
}

function compileInstruction(
  instruction: Instruction,
  namespace: string,
  templates: CompiledTemplates,
): Emitter {
  switch (instruction.kind) {
    case 'attributes': {
      const { fields: declared } = instruction;
      return (element, fields) => {
        for (const field of declared) {
          const value = element.attributes.get(field.name);
          if (value !== undefined) fields.push(normalizeSpace(value));
          else if (field.required) fields.push('');
        }
      };
    }
    case 'each':
      return compileSelection(
        instruction.path,
        namespace,
        compileBody(instruction.body, namespace, templates),
      );
    case 'apply':
      return compileSelection(instruction.path, namespace, templates.emit);
    case 'when': {
      const body = compileBody(instruction.body, namespace, templates);
      const step = parsePath(instruction.path, namespace);
      if (step.descendant || step.names.length !== 1)
        throw new Error(`when() takes one child step: ${instruction.path}`);
      const [name] = step.names;
      return (element, fields) => {
        if (element.children.some((child) => matches(child, namespace, name!))) body(element, fields);
      };
    }
    case 'whenAttributeEquals': {
      const body = compileBody(instruction.body, namespace, templates);
      const { name, value } = instruction;
      return (element, fields) => {
        if (element.attributes.get(name) === value) body(element, fields);
      };
    }
  }
}

interface ParsedPath {
  descendant: boolean;
  /** Local names in the set's namespace; null for `*`. */
  names: (string | null)[];
}

function parsePath(path: string, namespace: string): ParsedPath {
  const descendant = path.startsWith('//');
  const names = (descendant ? path.slice(2) : path).split('/').map((name) => (name === '*' ? null : name));
  if (names.some((name) => name === '') || (descendant && names.length !== 1))
    throw new Error(`unsupported cadena path ${JSON.stringify(path)} in ${namespace}`);
  return { descendant, names };
}

function matches(element: XmlElement, namespace: string, name: string | null): boolean {
  return name === null || (element.localName === name && element.namespace === namespace);
}

/** Runs `action` on every element the path selects, in document order, as XPath returns them. */
function compileSelection(path: string, namespace: string, action: Emitter): Emitter {
  const { descendant, names } = parsePath(path, namespace);
  if (descendant) {
    const [name] = names as [string | null];
    const visit = (element: XmlElement, fields: string[]): void => {
      for (const child of element.children) {
        if (matches(child, namespace, name)) action(child, fields);
        visit(child, fields);
      }
    };
    return visit;
  }
  if (names.length === 1) {
    const [name] = names as [string | null];
    return (element, fields) => {
      for (const child of element.children) if (matches(child, namespace, name)) action(child, fields);
    };
  }
  const walk = (element: XmlElement, depth: number, fields: string[]): void => {
    const name = names[depth]!;
    for (const child of element.children) {
      if (!matches(child, namespace, name)) continue;
      if (depth === names.length - 1) action(child, fields);
      else walk(child, depth + 1, fields);
    }
  };
  return (element, fields) => walk(element, 0, fields);
}
