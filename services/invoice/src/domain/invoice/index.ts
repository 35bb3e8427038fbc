export * from './document-submission.js';
export * from './errors.js';
export * from './invoice.js';
export * from './invoice-repository.js';
export * from './lifecycle.js';
export * from './submission.js';
