export { type CfdiReferences, loadCfdiReferences } from './adapters/cfdi-references.js';
export {
  bundledCertificatesDirectory,
  createFsCertificateStore,
  type FsCertificateStore,
  type FsCertificateStoreOptions,
  type SkippedCertificateFile,
} from './adapters/fs-certificate-store.js';
export { bundledCatalogsDirectory, loadCfdiCatalogs } from './adapters/fs-cfdi-catalogs.js';
export type { CfdiCatalogs } from './catalogs/index.js';
export type { DeclaredMetadata } from './declared-metadata.js';
export type { DocumentMetadata } from './document-metadata.js';
export {
  keptProblems,
  maxProblemMessageLength,
  maxProblemPathLength,
  maxProblemsKept,
  ProblemList,
  tooManyProblemsCode,
} from './problem-list.js';
export { type CfdiProblem, type CfdiProblemCode, CfdiProblemCodes } from './problems.js';
export { type RuleCode, RuleCodes } from './rules/index.js';
export {
  buildCadenaOriginal,
  type CertificateStore,
  certificateNumberOf,
  SealProblemCodes,
  sealCadena,
} from './seal/index.js';
export { type StructureProblemCode, StructureProblemCodes } from './structure-codes.js';
export {
  type CfdiOutcome,
  type CfdiValidationOptions,
  type CfdiVerdict,
  readCfdiMetadata,
  validateCfdi,
} from './validate-cfdi.js';
