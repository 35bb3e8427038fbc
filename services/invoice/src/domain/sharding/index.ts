export * from './shard-map.js';
export * from './slots.js';
