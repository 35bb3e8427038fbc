export { type HealthCheck, HealthRegistry, type HealthReport } from './health.js';
export { InFlightWork } from './in-flight.js';
export {
  type ShutdownOptions,
  ShutdownOrchestrator,
  type ShutdownPhase,
  shutdownPhases,
} from './shutdown.js';
export { createWakeableSleep, type WakeableSleep } from './wakeable-sleep.js';
