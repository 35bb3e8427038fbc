/**
 * The public REST API as types: every path with its operations, parameters, bodies and answers,
 * generated from the gateway's OpenAPI document. Clients (the CLI, the console) call the API
 * through `openapi-fetch` with these, so a route whose schema changes breaks their build.
 */
export type { components, operations, paths } from './gen/fiscal-api.js';

import type { components } from './gen/fiscal-api.js';

/** An RFC 9457 problem document, as every error of the API is answered. */
export type ApiProblem = components['schemas']['Problem'];
