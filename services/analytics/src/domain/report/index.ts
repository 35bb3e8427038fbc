export {
  type CurrencyTotal,
  type DailyReport,
  type IssuerTotal,
  type LatencyPercentiles,
  summariseDay,
  topIssuersPerCurrency,
} from './daily-report.js';
export { InvalidReportDate, parseReportDay } from './report-day.js';
