import { lineAt, type MarkupOutline } from './markup-outline.js';
import { type CfdiProblem, CfdiProblemCodes, cfdiProblem } from './problems.js';

// A CFDI never needs a DTD. Refusing any declaration, in any letter case and even inside a comment,
// keeps external entities (XXE) and entity expansion (billion laughs) out before a parser sees them.
const dtdDeclaration = /<!\s*(doctype|entity)/i;

/** The reason the text must not be parsed, if any: a DTD, or elements nested deeper than allowed. */
export function checkXmlSafety(
  text: string,
  outline: MarkupOutline,
  maxDepth: number,
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
  return undefined;
}
