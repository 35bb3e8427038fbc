export type { DeclaredMetadata } from './declared-metadata.js';
export type { DocumentMetadata } from './document-metadata.js';
export { type CfdiProblem, type CfdiProblemCode, CfdiProblemCodes } from './problems.js';
export {
  buildCadenaOriginal,
  type CertificateStore,
  certificateNumberOf,
  SealProblemCodes,
  sealCadena,
} from './seal/index.js';
export {
  type CfdiOutcome,
  type CfdiValidationOptions,
  type CfdiVerdict,
  readCfdiMetadata,
  validateCfdi,
} from './validate-cfdi.js';
