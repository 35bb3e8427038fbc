import type { FiscalEventData } from '@fiscal/contracts';

export type AuthEventType = Extract<keyof FiscalEventData, `auth.${string}`>;

/** An `auth.*` event a use case raised; the store records it with the change that raised it. */
export interface AuthEvent<Type extends AuthEventType = AuthEventType> {
  type: Type;
  /** The identity the event is about: a user, a token family, a key; for an unknown account, its email. */
  subject: string;
  /** The organisation, or `noTenant` when the event concerns no known one (a login for an unknown email). */
  tenant: string;
  data: FiscalEventData[Type];
}

export const noTenant = 'none';
