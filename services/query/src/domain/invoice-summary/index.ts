export * from './errors.js';
export * from './invoice-list.js';
export * from './invoice-summary.js';
export * from './page-cursor.js';
export * from './summary-store.js';
