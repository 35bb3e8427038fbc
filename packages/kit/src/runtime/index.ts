export type { ServiceModule } from './service-module.js';
