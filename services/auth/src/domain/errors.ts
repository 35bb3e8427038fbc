import { AppError, type FieldProblem } from '@fiscal/kit/errors';

/** One answer for an unknown email, a wrong password and a suspended account: no account oracle. */
export class InvalidCredentials extends AppError {
  constructor() {
    super('unauthenticated', 'invalid_credentials', 'The email or password is wrong.');
  }
}

/** Too many failed logins for this account or address; the same answer whether the account exists. */
export class LoginLocked extends AppError {
  constructor(retryAfterSeconds: number) {
    super('rate_limited', 'login_locked', 'Too many failed logins; try again later.', { retryAfterSeconds });
  }
}

export class InvalidRefreshToken extends AppError {
  constructor() {
    super('unauthenticated', 'invalid_refresh_token', 'The refresh token is unknown, expired or revoked.');
  }
}

export class InvalidApiKey extends AppError {
  constructor() {
    super('unauthenticated', 'invalid_api_key', 'The API key is unknown or revoked.');
  }
}

export class MissingActor extends AppError {
  constructor() {
    super('unauthenticated', 'unauthenticated', 'The request names no authenticated caller.');
  }
}

export class Forbidden extends AppError {
  constructor(message: string) {
    super('forbidden', 'forbidden', message);
  }
}

/** A grant (a role for a user, scopes for a key) of something the granting actor does not hold. */
export class ScopeNotHeld extends AppError {
  constructor(problems: FieldProblem[]) {
    super('forbidden', 'scope_not_held', 'Nobody grants a scope they do not hold.', { errors: problems });
  }
}

/** Users and API keys are managed by people, whose sessions are short and whose accounts lock. */
export class ApiKeyCannotManageIdentities extends AppError {
  constructor() {
    super('forbidden', 'api_key_not_allowed', 'API keys cannot manage users or API keys; sign in as a user.');
  }
}

export class OrganizationNotFound extends AppError {
  constructor(id: string) {
    super('not_found', 'organization_not_found', `Organisation ${id} does not exist.`);
  }
}

export class UserNotFound extends AppError {
  constructor(id: string) {
    super('not_found', 'user_not_found', `User ${id} does not exist.`);
  }
}

export class ApiKeyNotFound extends AppError {
  constructor(id: string) {
    super('not_found', 'api_key_not_found', `API key ${id} does not exist.`);
  }
}

/** The organisation holds as many users, or API keys, as it may. */
export class OrganizationLimitReached extends AppError {
  constructor(what: 'users' | 'API keys', limit: number) {
    super(
      'conflict',
      what === 'users' ? 'user_limit_reached' : 'api_key_limit_reached',
      `An organisation holds at most ${limit} ${what}.`,
    );
  }
}

export class EmailTaken extends AppError {
  constructor() {
    super('conflict', 'email_taken', 'A user with this email already exists.', {
      errors: [{ field: '/email', code: 'taken', message: 'is already registered' }],
    });
  }
}

export class InvalidInput extends AppError {
  constructor(errors: readonly FieldProblem[]) {
    super('invalid', 'validation_failed', 'The request is not valid.', { errors });
  }
}
