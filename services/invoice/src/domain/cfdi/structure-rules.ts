import type { AttributeFormat } from './attribute-formats.js';
import { type CfdiProblem, type CfdiProblemCode, CfdiProblemCodes, cfdiProblem, quoted } from './problems.js';
import { attributePath, childElements, childPath, type XmlElement } from './xml-document.js';

/** What the schema says of one attribute: whether it must be there, and what it must look like. */
export interface AttributeRule {
  name: string;
  required?: boolean;
  format?: AttributeFormat;
  /** The code for a value in the wrong format, when SAT has one for exactly this attribute. */
  invalidCode?: CfdiProblemCode;
}

/** Missing and malformed attributes of one element. An empty required value counts as missing. */
export function checkAttributes(element: XmlElement, rules: readonly AttributeRule[]): CfdiProblem[] {
  const problems: CfdiProblem[] = [];
  for (const rule of rules) {
    const value = element.attributes.get(rule.name);
    const path = attributePath(element, rule.name);
    if (value === undefined || (rule.required && value === '')) {
      if (rule.required)
        problems.push(
          cfdiProblem(
            CfdiProblemCodes.attributeRequired,
            path,
            `${rule.name} is required and must not be empty`,
          ),
        );
    } else if (rule.format && !rule.format.matches(value)) {
      const code = rule.invalidCode ?? CfdiProblemCodes.attributeInvalid;
      problems.push(
        cfdiProblem(code, path, `${rule.name} ${quoted(value)} must be ${rule.format.description}`),
      );
    }
  }
  return problems;
}

/**
 * The one child of that name the schema allows (the first, when there are more), reporting a missing
 * required child and every extra one.
 */
export function singleChild(
  parent: XmlElement,
  namespace: string,
  localName: string,
  required: boolean,
  problems: CfdiProblem[],
): XmlElement | undefined {
  const [first, ...extra] = childElements(parent, namespace, localName);
  if (!first && required)
    problems.push(
      cfdiProblem(
        CfdiProblemCodes.elementRequired,
        childPath(parent, namespace, localName),
        `${localName} is required`,
      ),
    );
  for (const element of extra)
    problems.push(
      cfdiProblem(CfdiProblemCodes.elementRepeated, element.path, `only one ${localName} is allowed`),
    );
  return first;
}
