import { type FechaH, parseFechaH } from '../attribute-formats.js';
import { Namespaces } from '../namespaces.js';
import type { CfdiProblem } from '../problems.js';
import { attributePath, childElements } from '../xml-document.js';
import { RuleCodes } from './rule-codes.js';
import { cfdi40InForce, cfdiChildren, problem, type Rule, type RuleContext } from './rule-context.js';

const hour = 3_600_000;

// Fecha is wall-clock time where the document was issued, with no zone. Mexico's zones run from UTC−5
// (Quintana Roo) to UTC−8 (Baja California in winter), so the earliest instant a Fecha can name is
// its wall-clock time read at UTC−5.
const easternmostOffsetHours = 5;

/** fecha_in_future: the Fecha is later than now in every Mexican time zone. */
export const fechaNotInFuture: Rule = ({ comprobante, fecha, now }) => {
  if (!fecha) return [];
  const earliest = wallClockMillis(fecha) + easternmostOffsetHours * hour;
  if (earliest <= now.getTime()) return [];
  return [
    problem(
      RuleCodes.fechaInFuture,
      attributePath(comprobante, 'Fecha'),
      `Fecha ${comprobante.attributes.get('Fecha')} is in the future: after ${now.toISOString()} even at UTC−5`,
    ),
  ];
};

/** fecha_before_cfdi40: CFDI 4.0 took effect on 2022-01-01; a 4.0 document cannot be older. */
export const fechaNotBeforeCfdi40: Rule = ({ comprobante, issuedOn }) =>
  issuedOn !== undefined && issuedOn < cfdi40InForce
    ? [
        problem(
          RuleCodes.fechaBeforeCfdi40,
          attributePath(comprobante, 'Fecha'),
          `Fecha ${issuedOn} is before ${cfdi40InForce}, when CFDI 4.0 took effect`,
        ),
      ]
    : [];

/**
 * fecha_timbrado_out_of_range: a PAC stamps within 72 hours of the Fecha (SAT's stamping rule 401).
 * FechaTimbrado is central Mexico time (UTC−6) and the Fecha is the issuer's (UTC−5 to UTC−8), so the
 * wall-clock difference may be between −1 and 74 hours; only outside that is it certainly wrong.
 */
export const fechaTimbradoWithin72Hours: Rule = ({ comprobante, fecha }) => {
  if (!fecha) return [];
  return stampsOf(comprobante).flatMap((stamp): CfdiProblem[] => {
    const stamped = parseFechaH(stamp.attributes.get('FechaTimbrado') ?? '');
    if (!stamped) return [];
    const difference = (wallClockMillis(stamped) - wallClockMillis(fecha)) / hour;
    if (difference >= -1 && difference <= 74) return [];
    return [
      problem(
        RuleCodes.fechaTimbradoOutOfRange,
        attributePath(stamp, 'FechaTimbrado'),
        `FechaTimbrado ${stamp.attributes.get('FechaTimbrado')} is not within 72 hours after the Fecha ${comprobante.attributes.get('Fecha')}`,
      ),
    ];
  });
};

export const dateRules: Rule[] = [fechaNotInFuture, fechaNotBeforeCfdi40, fechaTimbradoWithin72Hours];

function stampsOf(comprobante: RuleContext['comprobante']) {
  return cfdiChildren(comprobante, 'Complemento').flatMap((complemento) =>
    childElements(complemento, Namespaces.timbreFiscalDigital, 'TimbreFiscalDigital'),
  );
}

/** The wall-clock time as if it were UTC: differences between two of them are real durations. */
function wallClockMillis(time: FechaH): number {
  return Date.UTC(time.year, time.month - 1, time.day, time.hour, time.minute, time.second);
}
