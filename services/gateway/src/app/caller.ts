/** Who is calling: every read and write is scoped to the caller's organisation. */
export interface Caller {
  orgId: string;
}

/** Port: turns a request's credentials into a caller (or refuses it). */
export interface CallerResolver {
  resolve(headers: Record<string, string | string[] | undefined>): Promise<Caller>;
}
