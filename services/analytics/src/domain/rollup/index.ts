export {
  type FinalInvoice,
  type FinalStatus,
  finalEventTypes,
  finalInvoiceOf,
  unknownDimension,
  utcDayOf,
} from './final-invoice.js';
export type { DailyRollup, RollupStore } from './rollup-store.js';
