export * from './actor.js';
export * from './errors.js';
export * from './identity.js';
export * from './password-policy.js';
