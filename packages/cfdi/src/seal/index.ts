export { buildCadenaOriginal, buildStampCadena, type CadenaResult } from './cadena-original.js';
export type { CertificateStore } from './certificate-store.js';
export { certificateNumberOf, certificateRfcOf } from './certificates.js';
export { checkSeal } from './check-seal.js';
export { checkStampSeal, type StampSealCheck } from './check-stamp-seal.js';
export { type SealProblemCode, SealProblemCodes } from './seal-codes.js';
export { sealCadena } from './signatures.js';
