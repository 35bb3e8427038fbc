import { parseFechaH } from '../attribute-formats.js';

const hour = 3_600_000;

/**
 * CFDI dates carry no zone. Fecha is the wall-clock time where the invoice was issued (cfdv40.xsd),
 * anywhere in Mexico: UTC-5 (Quintana Roo; the north-eastern border in summer) to UTC-8 (Baja
 * California in winter). FechaTimbrado is the time of the Zona Centro (TimbreFiscalDigitalv11.xsd):
 * UTC-6, or UTC-5 in summer before 2023 and on the border strip that keeps summer time. Without the
 * issuer's postal-code zone, a time is known only to lie within that window, and a check fails only
 * when no offset in it would pass: the checks never reject a document its own zone would accept.
 */
export interface UtcWindow {
  /** Milliseconds since the epoch. */
  readonly earliest: number;
  readonly latest: number;
}

/** Where a Fecha (issuer's local time) can lie in UTC; undefined when it is not a t_FechaH. */
export function fechaWindow(fecha: string): UtcWindow | undefined {
  return windowOf(fecha, 5 * hour, 8 * hour);
}

/** Where a FechaTimbrado (Zona Centro time) can lie in UTC. */
export function fechaTimbradoWindow(fechaTimbrado: string): UtcWindow | undefined {
  return windowOf(fechaTimbrado, 5 * hour, 6 * hour);
}

/** Whether some instant of the window falls within [from, to]. */
export function overlaps(window: UtcWindow, from: number, to: number): boolean {
  return window.latest >= from && window.earliest <= to;
}

/** A UTC instant for a message: `2027-05-18T11:43:51`. */
export function utcText(millis: number): string {
  return new Date(millis).toISOString().slice(0, 19);
}

// Added to a wall-clock time read as UTC, a zone's distance behind UTC gives the instant.
function windowOf(value: string, fewestHoursBehind: number, mostHoursBehind: number): UtcWindow | undefined {
  const wall = wallClockAsUtc(value);
  return wall === undefined
    ? undefined
    : { earliest: wall + fewestHoursBehind, latest: wall + mostHoursBehind };
}

function wallClockAsUtc(value: string): number | undefined {
  const fecha = parseFechaH(value);
  if (fecha === undefined) return undefined;
  return Date.UTC(fecha.year, fecha.month - 1, fecha.day, fecha.hour, fecha.minute, fecha.second);
}
