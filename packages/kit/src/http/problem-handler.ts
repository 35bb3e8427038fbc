import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { AppError, type FieldProblem, toProblem } from '../errors/index.js';
import { pathOf } from './request-facts.js';

interface AjvIssue {
  instancePath: string;
  keyword: string;
  message?: string;
  params: Record<string, unknown>;
}

/**
 * The media types a route takes its body in: those its schema names per content type, else JSON,
 * the one parser every route keeps.
 */
function acceptedMediaTypesOf(request: FastifyRequest): string[] {
  const body = (request.routeOptions.schema as { body?: { content?: Record<string, unknown> } } | undefined)
    ?.body;
  return body?.content ? Object.keys(body.content) : ['application/json'];
}

/** Says which media types the route takes, and which one it was sent. */
function unsupportedMediaType(request: FastifyRequest): AppError {
  const accepted = acceptedMediaTypesOf(request);
  const sent = request.headers['content-type']?.split(';')[0]?.trim();
  const list =
    accepted.length === 1 ? accepted[0] : `${accepted.slice(0, -1).join(', ')} or ${accepted.at(-1)}`;
  return new AppError(
    'unsupported_media_type',
    'unsupported_media_type',
    `This endpoint accepts ${list}${sent ? `, not ${sent}` : '; the request named no content type'}.`,
  );
}

/** Fastify's own request errors, by code, as the stable problems clients see. */
const frameworkErrors: Record<string, (request: FastifyRequest) => AppError> = {
  FST_ERR_CTP_INVALID_JSON_BODY: () =>
    new AppError('invalid', 'malformed_json', 'The request body is not valid JSON.'),
  FST_ERR_CTP_EMPTY_JSON_BODY: () =>
    new AppError('invalid', 'malformed_json', 'The request body is empty but its content type is JSON.'),
  FST_ERR_CTP_BODY_TOO_LARGE: () =>
    new AppError(
      'payload_too_large',
      'payload_too_large',
      'The request body is larger than this endpoint accepts.',
    ),
  FST_ERR_CTP_INVALID_MEDIA_TYPE: unsupportedMediaType,
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: () =>
    new AppError('invalid', 'invalid_content_length', 'Content-Length does not match the body.'),
};

function fieldOf(issue: AjvIssue, location: string): string {
  const prefix = location === 'body' ? '' : `/${location}`;
  if (issue.keyword === 'required')
    return `${prefix}${issue.instancePath}/${String(issue.params.missingProperty)}`;
  if (issue.keyword === 'additionalProperties')
    return `${prefix}${issue.instancePath}/${String(issue.params.additionalProperty)}`;
  return `${prefix}${issue.instancePath}` || '/';
}

function codeOf(issue: AjvIssue): string {
  if (issue.keyword === 'required') return 'required';
  if (issue.keyword === 'additionalProperties') return 'unknown_field';
  return `invalid_${issue.keyword}`;
}

/** Every offending field of a schema-validation failure, each once. */
export function validationProblems(issues: readonly AjvIssue[], location: string): FieldProblem[] {
  const seen = new Set<string>();
  const problems: FieldProblem[] = [];
  for (const issue of issues) {
    const field = fieldOf(issue, location);
    const code = codeOf(issue);
    if (seen.has(`${field} ${code}`)) continue;
    seen.add(`${field} ${code}`);
    const message =
      issue.keyword === 'additionalProperties' ? 'is not a known field' : (issue.message ?? 'is invalid');
    problems.push({ field, code, message });
  }
  return problems;
}

function toAppError(error: FastifyError, request: FastifyRequest): AppError {
  if (error instanceof AppError) return error;
  if (error.validation) {
    return new AppError('invalid', 'validation_failed', 'The request has invalid fields.', {
      errors: validationProblems(error.validation as AjvIssue[], error.validationContext ?? 'body'),
    });
  }
  const known = error.code ? frameworkErrors[error.code] : undefined;
  if (known) return known(request);
  if (error.statusCode === 413) return frameworkErrors.FST_ERR_CTP_BODY_TOO_LARGE!(request);
  if (error.statusCode === 415) return unsupportedMediaType(request);
  if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) {
    return new AppError('invalid', 'bad_request', error.message);
  }
  return new AppError('internal', 'internal', 'An unexpected error occurred.', { cause: error });
}

/** When an unavailable dependency gave no time of its own (a refused connection, a deadline). */
const defaultUnavailableRetryAfterSeconds = 5;

export function sendProblem(reply: FastifyReply, request: FastifyRequest, error: AppError): FastifyReply {
  const problem = toProblem(error, pathOf(request.url));
  // Every 503 says when to come back, so clients back off instead of retrying at once.
  const retryAfter =
    error.retryAfterSeconds ??
    (error.kind === 'unavailable' ? defaultUnavailableRetryAfterSeconds : undefined);
  if (retryAfter !== undefined) reply.header('retry-after', String(Math.ceil(retryAfter)));
  return reply.code(problem.status).type('application/problem+json').send(problem);
}

/** Every error leaves as problem+json; unexpected ones are logged once here, with the trace id. */
export function installProblemHandlers(app: FastifyInstance, logger: Logger): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const appError = toAppError(error, request);
    // RFC 9110 §12.5.1: Accept on a response names the media types a request to it may carry.
    if (appError.code === 'unsupported_media_type')
      reply.header('accept', acceptedMediaTypesOf(request).join(', '));
    if (appError.kind === 'internal') {
      logger.error(
        {
          err: error,
          method: request.method,
          route: request.routeOptions.url ?? 'unmatched',
          request_id: request.id,
          trace_id: request.traceId,
        },
        'unexpected error handling request',
      );
    }
    return sendProblem(reply, request, appError);
  });
  app.setNotFoundHandler((request, reply) =>
    sendProblem(
      reply,
      request,
      new AppError('not_found', 'route_not_found', `No route ${request.method} ${pathOf(request.url)}.`),
    ),
  );
}
