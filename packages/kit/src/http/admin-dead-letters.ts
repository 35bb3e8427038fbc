import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { AppError } from '../errors/index.js';
import type { DeadLetterSelection, DeadLetters } from '../events/index.js';

const GroupParams = Type.Object({ group: Type.String({ pattern: '^[A-Za-z0-9._-]{1,128}$' }) });
const ListQuery = Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000 })) });
/** Exactly one of the two: the named dead letters, or every one of the group. */
const SelectionBody = Type.Object(
  {
    ids: Type.Optional(
      Type.Array(Type.String({ minLength: 1, maxLength: 128 }), { minItems: 1, maxItems: 10_000 }),
    ),
    all: Type.Optional(Type.Literal(true)),
  },
  { additionalProperties: false },
);
type SelectionBody = Static<typeof SelectionBody>;

/**
 * Operators' handle on what kept failing, per consumer group: list and inspect dead letters,
 * redrive them (their trace context intact) or purge them. On the admin port, behind the operator
 * token; `fiscal dlq` is its command-line client.
 */
export function registerDeadLetterRoutes(
  app: FastifyInstance,
  deadLetters: () => DeadLetters | undefined,
): void {
  const available = () => {
    const port = deadLetters();
    if (!port)
      throw new AppError('unavailable', 'event_bus_not_started', 'The event bus is not started yet.');
    return port;
  };
  /** The port, once `group` is one this process consumes: any other name is a typo or another process's. */
  const consumerOf = (group: string) => {
    const port = available();
    const groups = port.groups();
    if (!groups.includes(group)) throw new ConsumerGroupNotFound(group, groups);
    return port;
  };

  app.get('/dead-letters', async () => ({ groups: [...available().groups()].sort() }));

  app.get<{ Params: { group: string }; Querystring: { limit?: number } }>(
    '/dead-letters/:group',
    { schema: { params: GroupParams, querystring: ListQuery } },
    async (request) => ({
      group: request.params.group,
      deadLetters: await consumerOf(request.params.group).list(request.params.group, {
        limit: request.query.limit ?? 100,
      }),
    }),
  );

  const selectionRoute = {
    schema: { params: GroupParams, body: SelectionBody },
    preValidation: noBodyIsEmpty,
  };
  app.post<{ Params: { group: string }; Body: SelectionBody }>(
    '/dead-letters/:group/redrive',
    selectionRoute,
    async (request) => ({
      redriven: await consumerOf(request.params.group).redrive(
        request.params.group,
        selectionOf(request.body),
      ),
    }),
  );
  app.post<{ Params: { group: string }; Body: SelectionBody }>(
    '/dead-letters/:group/purge',
    selectionRoute,
    async (request) => ({
      purged: await consumerOf(request.params.group).purge(request.params.group, selectionOf(request.body)),
    }),
  );
}

/** A group this process does not consume: its dead letters, if any, are another process's to show. */
class ConsumerGroupNotFound extends AppError {
  constructor(group: string, groups: readonly string[]) {
    super(
      'not_found',
      'consumer_group_not_found',
      groups.length === 0
        ? `No consumer group ${group} here: this process consumes no events.`
        : `No consumer group ${group} here; this process consumes ${[...groups].sort().join(', ')}.`,
    );
  }
}

/** No body and `null` name nothing, as `{}` does, and get the same answer. */
async function noBodyIsEmpty(request: { body: unknown }): Promise<void> {
  if (request.body === undefined || request.body === null) request.body = {};
}

/** Purging or redriving everything is never a default: it takes `"all": true`. */
function selectionOf(body: SelectionBody): DeadLetterSelection {
  if (body.ids !== undefined && body.all !== undefined) {
    throw selectionProblem(
      '/all',
      'conflict',
      'cannot be sent with ids: name the dead letters or ask for all',
    );
  }
  if (body.ids !== undefined) return { ids: body.ids };
  if (body.all === true) return { all: true };
  throw selectionProblem('/ids', 'required', 'names the dead letters to act on; or send "all": true');
}

function selectionProblem(field: string, code: string, message: string): AppError {
  return new AppError('invalid', 'validation_failed', 'Name the dead letters to act on, or ask for all.', {
    errors: [{ field, code, message }],
  });
}
