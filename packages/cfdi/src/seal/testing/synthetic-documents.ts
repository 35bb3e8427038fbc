import { Namespaces } from '../../namespaces.js';
import type { Instruction, TemplateSet } from '../cadena-rules.js';

/**
 * How a synthetic document fills attributes: `every` sets each one the rules read (with whitespace to
 * collapse and characters to escape), `none` sets none (Requerido still writes "|"), `alternate`
 * sets every other one, half of those empty (Opcional writes "|" for a present empty value).
 */
export type Filling = 'every' | 'none' | 'alternate';

interface Node {
  localName: string;
  namespace: string;
  attributes: Map<string, string>;
  children: Node[];
}

const maxDepth = 12;

/**
 * A CFDI 4.0 document holding every element and attribute a template set reads, each repeated twice,
 * for comparing the builder with SAT's XSLT on complements no fixture carries. A complement's roots
 * (templates no other template of the set applies) go under cfdi:Complemento.
 */
export function syntheticDocument(set: TemplateSet, filling: Filling): string {
  const counter = { next: 0 };
  const fill = (node: Node, body: readonly Instruction[], depth: number) =>
    fillNode(set, node, body, depth, filling, counter);
  const comprobante = element(Namespaces.cfdi40, 'Comprobante');
  if (set.namespace === Namespaces.cfdi40) fill(comprobante, set.templates.Comprobante!, 0);
  else {
    const complemento = element(Namespaces.cfdi40, 'Complemento');
    comprobante.children.push(complemento);
    for (const root of rootsOf(set)) {
      const node = element(set.namespace, root);
      complemento.children.push(node);
      fill(node, set.templates[root]!, 1);
    }
  }
  comprobante.attributes.set('Version', '4.0');
  return `<?xml version="1.0" encoding="UTF-8"?>\n${serialize(comprobante, set.namespace, '')}\n`;
}

function rootsOf(set: TemplateSet): string[] {
  const applied = new Set<string>();
  const collect = (body: readonly Instruction[]): void => {
    for (const instruction of body) {
      if (instruction.kind === 'apply') applied.add(instruction.path.split('/').at(-1)!);
      if ('body' in instruction) collect(instruction.body);
    }
  };
  for (const body of Object.values(set.templates)) collect(body);
  return Object.keys(set.templates).filter((name) => !applied.has(name));
}

function fillNode(
  set: TemplateSet,
  node: Node,
  body: readonly Instruction[],
  depth: number,
  filling: Filling,
  counter: { next: number },
): void {
  for (const instruction of body) {
    switch (instruction.kind) {
      case 'attributes':
        for (const field of instruction.fields) {
          const n = counter.next++;
          if (filling === 'every') node.attributes.set(field.name, `  ${field.name} ${n}\t&amp;\n Ñ ~ `);
          else if (filling === 'alternate' && n % 2 === 0)
            node.attributes.set(field.name, n % 4 === 0 ? '' : ` ${n} `);
        }
        break;
      case 'whenAttributeEquals':
        if (filling === 'every') {
          node.attributes.set(instruction.name, instruction.value);
          fillNode(set, node, instruction.body, depth, filling, counter);
        }
        break;
      case 'when':
        // The body is what creates the tested child (when('X', [apply('X')])).
        fillNode(set, node, instruction.body, depth, filling, counter);
        break;
      case 'each':
      case 'apply': {
        if (instruction.path === '*' || depth >= maxDepth) break;
        const names = instruction.path.replace(/^\/\//, '').split('/');
        const last = names.pop()!;
        const template = set.templates[last];
        if (instruction.kind === 'apply' && template === undefined) break;
        let parent = node;
        for (const name of names) parent = childOf(parent, set.namespace, name);
        for (let copy = 0; copy < 2; copy++) {
          const child = element(set.namespace, last);
          parent.children.push(child);
          const childBody = instruction.kind === 'each' ? instruction.body : template!;
          fillNode(set, child, childBody, depth + 1, filling, counter);
        }
      }
    }
  }
}

function element(namespace: string, localName: string): Node {
  return { namespace, localName, attributes: new Map(), children: [] };
}

function childOf(parent: Node, namespace: string, localName: string): Node {
  const existing = parent.children.find(
    (child) => child.namespace === namespace && child.localName === localName,
  );
  if (existing) return existing;
  const created = element(namespace, localName);
  parent.children.push(created);
  return created;
}

// Elements are indented, so the whitespace text between them is there for the XSLT to (not) write.
function serialize(node: Node, setNamespace: string, indent: string): string {
  const prefix = node.namespace === Namespaces.cfdi40 ? 'cfdi' : 'c';
  const declarations =
    indent === ''
      ? ` xmlns:cfdi="${Namespaces.cfdi40}"${setNamespace === Namespaces.cfdi40 ? '' : ` xmlns:c="${setNamespace}"`}`
      : '';
  const attributes = [...node.attributes]
    .map(([name, value]) => ` ${name}="${escapeAttribute(value)}"`)
    .join('');
  const tag = `${prefix}:${node.localName}`;
  if (node.children.length === 0) return `${indent}<${tag}${declarations}${attributes}/>`;
  const children = node.children.map((child) => serialize(child, setNamespace, `${indent}  `));
  return `${indent}<${tag}${declarations}${attributes}>\n${children.join('\n')}\n${indent}</${tag}>`;
}

// "&amp;" in a value is already an escape; tabs and newlines become character references so they
// reach normalize-space instead of being turned into spaces by the XML parser.
function escapeAttribute(value: string): string {
  return value.replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/\t/g, '&#9;').replace(/\n/g, '&#10;');
}
