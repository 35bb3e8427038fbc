import { type DailyReport, parseReportDay, summariseDay } from '../domain/report/index.js';
import type { RollupStore } from '../domain/rollup/index.js';

export interface GetDailyReport {
  orgId: string;
  /** UTC day, YYYY-MM-DD. */
  date: string;
  issuer?: string | undefined;
}

/** One organisation's day: only its own rollups are ever read. */
export function getDailyReportHandler(rollups: RollupStore) {
  return async ({ orgId, date, issuer }: GetDailyReport): Promise<DailyReport> => {
    const day = parseReportDay(date);
    return summariseDay(day, await rollups.rollupsOfDay(orgId, day, issuer));
  };
}
