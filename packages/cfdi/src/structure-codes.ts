/**
 * Structure codes beyond those in problems.ts: what an XSD validator reports as a content-model or
 * attribute-use error. Kept apart until problems.ts takes them in.
 */
export const StructureProblemCodes = {
  /** An element the schema does not allow where it is (unknown name, or a namespace with no place there). */
  elementUnexpected: 'element_unexpected',
  /** An element the schema allows, but earlier in the xs:sequence than where it is. */
  elementOutOfOrder: 'element_out_of_order',
  /** An unqualified attribute the element's schema does not define. */
  attributeUnexpected: 'attribute_unexpected',
} as const;

export type StructureProblemCode = (typeof StructureProblemCodes)[keyof typeof StructureProblemCodes];
