import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError, type FieldProblem } from '../errors/index.js';

// C0 controls. A path parameter or query value has no use for any of them; a JSON string may hold
// TAB, LF and CR (an inline XML document is made of lines), never the rest.
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding them is the point
const controlInText = /[\u0000-\u001f]/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding them is the point
const controlInBody = /[\u0000-\u0008\u000b\u000c\u000e-\u001f]/;

/** Enough to show the client what to fix; a body full of them is not listed whole. */
const maxProblemsNamed = 10;

/**
 * Refuses, before schema validation and any handler, a request whose path parameters, query values
 * or JSON body strings (and keys) carry a NUL or another control character, naming each field
 * (`/params/id`, `/querystring/q`, `/email`, `/items/3/issuer`). Such a value is never meant, and
 * it would otherwise reach the database (which refuses NUL) or the logs. A raw XML body is a string
 * here and is left to the XML parser.
 */
export function refuseControlCharacters(app: FastifyInstance): void {
  app.addHook('preValidation', async (request: FastifyRequest) => {
    const problems: FieldProblem[] = [];
    const report = (field: string) => {
      if (problems.length < maxProblemsNamed)
        problems.push({ field, code: 'control_character', message: 'must not contain control characters' });
    };
    findControlCharacters(request.params, '/params', controlInText, report);
    findControlCharacters(request.query, '/querystring', controlInText, report);
    if (isJson(request)) findControlCharacters(request.body, '', controlInBody, report);
    if (problems.length > 0)
      throw new AppError('invalid', 'validation_failed', 'The request has invalid fields.', {
        errors: problems,
      });
  });
}

const jsonMediaType = /^\s*application\/([\w.-]+\+)?json\s*(;|$)/i;

/** A body parsed from JSON, whatever its type (a bare string too); not a raw document, text or bytes. */
function isJson(request: FastifyRequest): boolean {
  return request.body !== undefined && jsonMediaType.test(request.headers['content-type'] ?? '');
}

/**
 * Walks strings, arrays and objects with an explicit stack: a JSON body nested a hundred thousand
 * levels deep parses, and must not overflow the call stack here.
 */
function findControlCharacters(
  value: unknown,
  root: string,
  forbidden: RegExp,
  report: (field: string) => void,
): void {
  const pending: [unknown, string][] = [[value, root]];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const [current, path] = next;
    if (typeof current === 'string') {
      if (forbidden.test(current)) report(path || '/');
    } else if (Array.isArray(current)) {
      for (let index = current.length - 1; index >= 0; index--)
        pending.push([current[index], `${path}/${index}`]);
    } else if (typeof current === 'object' && current !== null) {
      const entries = Object.entries(current);
      for (let index = entries.length - 1; index >= 0; index--) {
        const [key, child] = entries[index]!;
        const field = `${path}/${pointerStep(key)}`;
        if (forbidden.test(key)) report(field);
        else pending.push([child, field]);
      }
    }
  }
}

/** A key as a JSON Pointer step (RFC 6901). */
function pointerStep(key: string): string {
  return key.replaceAll('~', '~0').replaceAll('/', '~1');
}
