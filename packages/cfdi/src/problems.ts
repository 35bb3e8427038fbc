/** One thing wrong with a document: a stable code, where it is (XPath-like, SAT prefixes) and what. */
export interface CfdiProblem {
  code: string;
  path: string;
  message: string;
}

/**
 * Every code this module reports. SAT's own code is used where its rule is exactly the one checked
 * (matriz de errores CFDI 4.0), so a rejection reads the same as a PAC's; the rest are snake_case.
 */
export const CfdiProblemCodes = {
  // Reading the document: each of these ends validation.
  documentTooLarge: 'document_too_large',
  unsupportedEncoding: 'unsupported_encoding',
  xmlDoctypeForbidden: 'xml_doctype_forbidden',
  xmlTooDeep: 'xml_too_deep',
  xmlTooManyElements: 'xml_too_many_elements',
  xmlMalformed: 'xml_malformed',
  unsupportedDocument: 'unsupported_document',
  // Structure and formats (cfdv40.xsd, tdCFDI.xsd, TimbreFiscalDigitalv11.xsd).
  elementRequired: 'element_required',
  elementRepeated: 'element_repeated',
  attributeRequired: 'attribute_required',
  attributeInvalid: 'attribute_invalid',
  fechaInvalid: 'CFDI40101',
  // Arithmetic.
  subTotalMismatch: 'CFDI40108',
  amountNotZero: 'CFDI40109',
  discountExceedsSubTotal: 'CFDI40110',
  totalMismatch: 'CFDI40119',
  // Stamp.
  notStamped: 'not_stamped',
  // What the client declared against what the document says.
  declaredUuidMismatch: 'declared_uuid_mismatch',
  declaredIssuerMismatch: 'declared_issuer_mismatch',
  declaredReceiverMismatch: 'declared_receiver_mismatch',
  declaredTotalMismatch: 'declared_total_mismatch',
  declaredCurrencyMismatch: 'declared_currency_mismatch',
  declaredDateMismatch: 'declared_date_mismatch',
} as const;

export type CfdiProblemCode = (typeof CfdiProblemCodes)[keyof typeof CfdiProblemCodes];

export function cfdiProblem(code: CfdiProblemCode, path: string, message: string): CfdiProblem {
  return { code, path, message };
}

/** A value for a message: quoted, and cut short so a problem never carries a whole seal or certificate. */
export function quoted(value: string): string {
  return JSON.stringify(shortened(value, 60));
}

/** Text cut to a length, so hostile input cannot make a problem message huge. */
export function shortened(text: string, maxLength: number): string {
  return text.length > maxLength ? `${text.slice(0, maxLength - 3)}...` : text;
}
