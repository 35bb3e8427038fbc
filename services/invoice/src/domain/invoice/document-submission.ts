import { readCfdiMetadata } from '@fiscal/cfdi';
import type { FieldProblem } from '@fiscal/kit/errors';
import type { InvoiceSubmission } from './submission.js';

/**
 * CFDI `Fecha` is the issuer's wall-clock time with no zone. Mexico's central zone (UTC-6, no
 * daylight saving since 2022) is where most issuers are; the validator accepts any Mexican offset
 * when it compares the document with this instant.
 */
const issuerOffset = '-06:00';

/**
 * A submission made of the raw document alone: the metadata is read from the CFDI itself (the
 * stamp's UUID, Emisor and Receptor RFCs, Total, Moneda, Fecha), and the document rides inline.
 */
export function submissionFromDocument(xml: string): {
  submission?: InvoiceSubmission;
  problems: FieldProblem[];
} {
  const { metadata, problems } = readCfdiMetadata(xml);
  const asFieldProblems = problems.map((problem) => ({
    field: `/xml${problem.path}`,
    code: problem.code,
    message: problem.message,
  }));
  if (!metadata) return { problems: asFieldProblems };
  if (metadata.uuid === null) {
    return {
      problems: [
        ...asFieldProblems,
        {
          field: '/xml',
          code: 'not_stamped',
          message: 'the document has no TimbreFiscalDigital UUID; send the metadata with it as JSON',
        },
      ],
    };
  }
  return {
    submission: {
      uuid: metadata.uuid,
      issuer: metadata.issuer,
      receiver: metadata.receiver,
      amount: metadata.total,
      currency: metadata.currency,
      issuanceDate: `${metadata.issuedAt}${issuerOffset}`,
      xml,
    },
    problems: [],
  };
}
