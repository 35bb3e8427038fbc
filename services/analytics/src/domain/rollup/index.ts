export {
  type FinalInvoice,
  type FinalStatus,
  finalEventTypes,
  finalInvoiceOf,
  unknownDimension,
  utcDayOf,
} from './final-invoice.js';
export { type RollupDelta, rollupDeltasOf } from './rollup-delta.js';
export type { DailyRollup, FinalEvent, RollupStore } from './rollup-store.js';
