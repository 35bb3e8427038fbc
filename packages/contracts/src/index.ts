export * from './access-token.js';
export type { EventEnvelope } from './envelope.js';
export * from './events/index.js';
