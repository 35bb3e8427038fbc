import { Decimal } from 'decimal.js';
import { AttributeFormats, type FechaH, parseFechaH } from './attribute-formats.js';
import { type LocatedValue, locateMetadata } from './document-metadata.js';
import { type CfdiProblem, type CfdiProblemCode, CfdiProblemCodes, cfdiProblem, quoted } from './problems.js';
import type { XmlElement } from './xml-document.js';

/**
 * What the client declared through the API, already normalised: uuid lower-case, issuanceDate an ISO
 * instant (UTC, from `new Date(x).toISOString()`), amount a decimal string.
 */
export interface DeclaredMetadata {
  uuid: string;
  issuer: string;
  receiver: string;
  amount: string;
  currency: string;
  issuanceDate: string;
}

// Fecha is wall-clock time in Mexico with no zone. The offsets Mexico's zones use (with and without
// daylight saving time) and UTC are the readings a client may have converted it with.
const acceptedOffsetsInHours = [0, -5, -6, -7, -8];
const millisecondsPerDay = 86_400_000;

/**
 * Every field where the document says something other than what the client declared. A document
 * without a stamp has no fiscal UUID to compare: that is a mismatch unless pre-stamp documents are
 * accepted (`stampRequired` false), when the declared UUID is taken as given.
 */
export function compareDeclaredMetadata(
  declared: DeclaredMetadata,
  comprobante: XmlElement,
  { stampRequired = true }: { stampRequired?: boolean } = {},
): CfdiProblem[] {
  const document = locateMetadata(comprobante);
  const problems: CfdiProblem[] = [];
  const mismatch = (code: CfdiProblemCode, located: LocatedValue, field: string, shown: string) =>
    problems.push(
      cfdiProblem(
        code,
        located.path,
        `declared ${field} ${quoted(shown)} does not match the document's ${quoted(located.value ?? '')}`,
      ),
    );

  if (document.uuid.value === undefined) {
    if (stampRequired)
      problems.push(
        cfdiProblem(
          CfdiProblemCodes.declaredUuidMismatch,
          document.uuid.path,
          `declared uuid ${quoted(declared.uuid)} cannot be matched: the document has no TimbreFiscalDigital UUID`,
        ),
      );
  } else if (declared.uuid.toLowerCase() !== document.uuid.value.toLowerCase())
    mismatch(CfdiProblemCodes.declaredUuidMismatch, document.uuid, 'uuid', declared.uuid);

  // Absent or malformed document values are reported by the structure check, not again here.
  if (document.issuer.value !== undefined && declared.issuer !== document.issuer.value)
    mismatch(CfdiProblemCodes.declaredIssuerMismatch, document.issuer, 'issuer', declared.issuer);
  if (document.receiver.value !== undefined && declared.receiver !== document.receiver.value)
    mismatch(CfdiProblemCodes.declaredReceiverMismatch, document.receiver, 'receiver', declared.receiver);
  if (document.currency.value !== undefined && declared.currency !== document.currency.value)
    mismatch(CfdiProblemCodes.declaredCurrencyMismatch, document.currency, 'currency', declared.currency);

  const total = document.total.value;
  if (total !== undefined && AttributeFormats.importe.matches(total) && !sameAmount(declared.amount, total))
    mismatch(CfdiProblemCodes.declaredTotalMismatch, document.total, 'amount', declared.amount);

  const fecha = document.issuedAt.value === undefined ? undefined : parseFechaH(document.issuedAt.value);
  if (fecha && !declaredDateMatches(declared.issuanceDate, fecha))
    problems.push(
      cfdiProblem(
        CfdiProblemCodes.declaredDateMismatch,
        document.issuedAt.path,
        `declared issuanceDate ${quoted(declared.issuanceDate)} does not match the document's Fecha ` +
          `${quoted(document.issuedAt.value!)} read as UTC or at an offset from -05:00 to -08:00, nor its date alone`,
      ),
    );
  return problems;
}

function sameAmount(declared: string, documentTotal: string): boolean {
  try {
    return new Decimal(declared).equals(documentTotal);
  } catch {
    return false;
  }
}

/**
 * The declared instant equals Fecha read at one of the accepted offsets (to the second), or it is a
 * date alone (midnight UTC exactly) on Fecha's calendar day.
 */
function declaredDateMatches(declared: string, fecha: FechaH): boolean {
  const instant = Date.parse(declared);
  if (Number.isNaN(instant)) return false;
  const declaredSecond = Math.floor(instant / 1000);
  const wallClockSecond =
    Date.UTC(fecha.year, fecha.month - 1, fecha.day, fecha.hour, fecha.minute, fecha.second) / 1000;
  if (acceptedOffsetsInHours.some((offset) => wallClockSecond - offset * 3600 === declaredSecond))
    return true;
  return instant % millisecondsPerDay === 0 && instant === Date.UTC(fecha.year, fecha.month - 1, fecha.day);
}
