import { lineAt, type MarkupOutline, type OutlineLimits } from './markup-outline.js';
import { type CfdiProblem, CfdiProblemCodes, cfdiProblem } from './problems.js';

// A CFDI never needs a DTD. Refusing any declaration, in any letter case and even inside a comment,
// keeps external entities (XXE) and entity expansion (billion laughs) out before a parser sees them.
const dtdDeclaration = /<!\s*(doctype|entity)/i;

/**
 * The reason the text must not be parsed, if any: a DTD, elements nested deeper than allowed, or
 * more elements than allowed (each costs a parser node and a tree element, far more than its bytes).
 */
export function checkXmlSafety(
  text: string,
  outline: MarkupOutline,
  { maxDepth, maxElements }: OutlineLimits,
): CfdiProblem | undefined {
  const declaration = dtdDeclaration.exec(text);
  if (declaration) {
    const message = `<!${declaration[1]}> declarations are not accepted (line ${lineAt(text, declaration.index)})`;
    return cfdiProblem(CfdiProblemCodes.xmlDoctypeForbidden, '/', message);
  }
  if (outline.tooDeepAt !== undefined) {
    const message = `elements are nested more than ${maxDepth} levels deep (line ${lineAt(text, outline.tooDeepAt)})`;
    return cfdiProblem(CfdiProblemCodes.xmlTooDeep, '/', message);
  }
  if (outline.tooManyAt !== undefined) {
    const message = `the document has more than ${maxElements} elements (line ${lineAt(text, outline.tooManyAt)})`;
    return cfdiProblem(CfdiProblemCodes.xmlTooManyElements, '/', message);
  }
  return undefined;
}
