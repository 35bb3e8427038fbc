export * from './timeline-entry.js';
export * from './timeline-store.js';
