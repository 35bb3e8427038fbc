export {
  type GenerateCfdiOptions,
  type GeneratedCfdi,
  type GeneratedCurrency,
  type GeneratedMetadata,
  generateCfdi,
  type Party,
  type ReceiverParty,
} from './generate-cfdi.js';
export { type CfdiMutation, cfdiMutations, type MutationLayer, mutateCfdi } from './mutations.js';
export type { SigningCredentials, StampCredentials } from './seal-document.js';
export { type Random, seededRandom } from './seeded-random.js';
