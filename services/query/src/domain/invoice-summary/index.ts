export * from './errors.js';
export * from './invoice-summary.js';
export * from './summary-store.js';
