export { type ExternalService, probeService, serviceUrls } from './services.js';
