export * from './auth-harness.js';
