import type { paths } from '@fiscal/contracts/http';
import createClient, { type Client } from 'openapi-fetch';

/** The public API, called through types generated from its OpenAPI document. */
export type FiscalApi = Client<paths>;

/** A client of a gateway at `baseUrl`, sending `authorization` with every call when given. */
export function fiscalApi(baseUrl: string, authorization?: string): FiscalApi {
  return createClient<paths>({ baseUrl, headers: authorization ? { authorization } : {} });
}
