export type { Cache } from './cache.js';
export { createMemoryCache, type MemoryCacheOptions } from './memory-cache.js';
export { createRedisCache, type RedisCacheOptions } from './redis-cache.js';
export { redisConfig } from './redis-settings.js';
