/** Port: login attempts counted per account email (existing or not) and per client address. */
export interface LoginLimiter {
  /**
   * Takes one attempt from the account's and the address's budgets before the password is checked,
   * so parallel guesses cannot slip past the limit between a check and a count. Answers the seconds
   * to wait when either budget is spent (the login is refused), undefined when it may go ahead.
   */
  attempt(email: string, address: string): Promise<number | undefined>;
  /**
   * A successful login clears the account's count and gives the address its attempt back (only that
   * one: one good login in a spray proves nothing about the others).
   */
  recordSuccess(email: string, address: string): Promise<void>;
}
