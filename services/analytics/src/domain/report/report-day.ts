import { AppError } from '@fiscal/kit/errors';

const dayPattern = /^(\d{4})-(\d{2})-(\d{2})$/;

export class InvalidReportDate extends AppError {
  constructor(date: string) {
    super('invalid', 'validation_failed', 'The report date is not a day.', {
      errors: [
        { field: '/date', code: 'invalid_date', message: `"${date}" is not a calendar day (YYYY-MM-DD)` },
      ],
    });
  }
}

/** A report day is a calendar day written YYYY-MM-DD (UTC); 2026-02-30 is not one. */
export function parseReportDay(date: string): string {
  const match = dayPattern.exec(date);
  if (!match) throw new InvalidReportDate(date);
  const [, year, month, day] = match.map(Number) as [number, number, number, number];
  const parsed = new Date(Date.UTC(year, month - 1, day));
  if (parsed.getUTCFullYear() !== year || parsed.getUTCMonth() !== month - 1 || parsed.getUTCDate() !== day) {
    throw new InvalidReportDate(date);
  }
  return date;
}
