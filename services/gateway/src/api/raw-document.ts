import { AppError } from '@fiscal/kit/errors';
import type { FastifyInstance, FastifyRequest } from 'fastify';

export const xmlMediaTypes = ['application/xml', 'text/xml'];

// Fatal: a byte that is not UTF-8 must be refused, not replaced, or the archived "original" would
// differ from what was sent. `ignoreBOM` keeps a byte order mark in the text, so the service
// receives (and archives) the document byte for byte.
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const charsetParameter = /;\s*charset\s*=\s*"?([^";\s]*)"?/i;
// `\s` takes in a byte order mark too.
const blank = /^\s*$/;
const startsLikeXml = /^\s*</;

/** Lets the routes of `scope` take a raw CFDI as `application/xml` or `text/xml`, as UTF-8 text. */
export function acceptRawDocuments(scope: FastifyInstance): void {
  scope.addContentTypeParser(
    xmlMediaTypes,
    { parseAs: 'buffer' },
    async (request: FastifyRequest, body: Buffer) => readRawDocument(request.headers['content-type'], body),
  );
}

/** The document as text, refused unless it is non-empty UTF-8 that begins like XML. */
export function readRawDocument(contentType: string | undefined, body: Buffer): string {
  const charset = charsetParameter.exec(contentType ?? '')?.[1]?.toLowerCase();
  if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
    // The gRPC API carries the document as a string; transcoding it would change its bytes.
    throw new AppError(
      'unsupported_media_type',
      'unsupported_charset',
      `Documents are accepted in UTF-8 only, not ${charset}.`,
    );
  }
  let text: string;
  try {
    text = utf8.decode(body);
  } catch {
    throw documentProblem('invalid_encoding', 'is not valid UTF-8');
  }
  if (blank.test(text)) throw documentProblem('required', 'is empty');
  if (!startsLikeXml.test(text)) throw documentProblem('invalid_xml', 'is not an XML document');
  return text;
}

function documentProblem(code: string, message: string): AppError {
  return new AppError('invalid', 'validation_failed', 'The request body is not a CFDI document.', {
    errors: [{ field: '/', code, message }],
  });
}
