export * from './codec.js';
export * from './document-fetcher.js';
export * from './object-store.js';
