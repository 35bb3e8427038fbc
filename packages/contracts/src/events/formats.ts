import { Type } from '@sinclair/typebox';

// Shared value shapes of event data. Amounts are decimal strings: a float would lose cents.
export const DecimalString = Type.String({ pattern: '^-?\\d{1,18}(\\.\\d{1,6})?$' });
export const Uuid = Type.String({
  pattern: '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$',
});
export const Rfc = Type.String({ pattern: '^[A-ZÑ&]{3,4}\\d{6}[A-Z\\d]{3}$' });
export const CurrencyCode = Type.String({ pattern: '^[A-Z]{3}$' });
export const Timestamp = Type.String({
  pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d{1,9})?(Z|[+-]\\d{2}:\\d{2})$',
});
export const Sha256Hex = Type.String({ pattern: '^[0-9a-f]{64}$' });
export const Identifier = Type.String({ minLength: 1, maxLength: 128 });
export const ByteCount = Type.Integer({ minimum: 0 });
export const Milliseconds = Type.Integer({ minimum: 0 });
