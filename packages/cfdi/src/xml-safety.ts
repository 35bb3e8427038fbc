import { lineAt, type MarkupOutline, type OutlineLimits } from './markup-outline.js';
import { type CfdiProblem, CfdiProblemCodes, cfdiProblem } from './problems.js';

// A CFDI never needs a DTD. Refusing any declaration, in any letter case and even inside a comment,
// keeps external entities (XXE) and entity expansion (billion laughs) out before a parser sees them.
const dtdDeclaration = /<!\s*(doctype|entity)/iy;

/**
 * The reason the text must not be parsed, if any: a DTD, elements nested deeper than allowed, or
 * more elements than allowed (each costs a parser node and a tree element, far more than its bytes).
 */
export function checkXmlSafety(
  text: string,
  outline: MarkupOutline,
  { maxDepth, maxElements }: OutlineLimits,
): CfdiProblem | undefined {
  const doctype = refuseDtd(text);
  if (doctype) return doctype;
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

/** The problem of a DTD declaration anywhere in the text (checkXmlSafety's first check), if there is one. */
export function refuseDtd(text: string): CfdiProblem | undefined {
  // Every declaration starts with `<!`, which plain documents hold only in comments: looking for it
  // costs far less than running the expression over the whole text.
  for (let at = text.indexOf('<!'); at !== -1; at = text.indexOf('<!', at + 2)) {
    dtdDeclaration.lastIndex = at;
    const declaration = dtdDeclaration.exec(text);
    if (declaration) {
      const message = `<!${declaration[1]}> declarations are not accepted (line ${lineAt(text, at)})`;
      return cfdiProblem(CfdiProblemCodes.xmlDoctypeForbidden, '/', message);
    }
  }
  return undefined;
}
