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

/** Fastify's own request errors, by code, as the stable problems clients see. */
const frameworkErrors: Record<string, () => AppError> = {
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
  FST_ERR_CTP_INVALID_MEDIA_TYPE: () =>
    new AppError(
      'unsupported_media_type',
      'unsupported_media_type',
      'This endpoint does not accept that content type.',
    ),
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

function toAppError(error: FastifyError): AppError {
  if (error instanceof AppError) return error;
  if (error.validation) {
    return new AppError('invalid', 'validation_failed', 'The request has invalid fields.', {
      errors: validationProblems(error.validation as AjvIssue[], error.validationContext ?? 'body'),
    });
  }
  const known = error.code ? frameworkErrors[error.code] : undefined;
  if (known) return known();
  if (error.statusCode === 413) return frameworkErrors.FST_ERR_CTP_BODY_TOO_LARGE!();
  if (error.statusCode === 415) return frameworkErrors.FST_ERR_CTP_INVALID_MEDIA_TYPE!();
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
    const appError = toAppError(error);
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
