import { request } from 'undici';
import { DeliveryFailure, type SmsProvider } from '../domain/index.js';

export interface HttpSmsProviderOptions {
  /** `FISCAL_SMS_PROVIDER_URL`: the provider's send endpoint. */
  url: string;
  /** `FISCAL_SMS_PROVIDER_TOKEN`: sent as a bearer token. */
  token: string;
  timeoutMs?: number;
}

/**
 * An SMS gateway reached over HTTP: `POST {to, text}` as JSON with a bearer token, any 2xx meaning
 * accepted. The URL is the operator's, not a tenant's, so no private-address guard applies.
 */
export function createHttpSmsProvider(options: HttpSmsProviderOptions): SmsProvider {
  const timeoutMs = options.timeoutMs ?? 10_000;
  return {
    async send(to, text, signal) {
      const response = await request(options.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${options.token}` },
        body: JSON.stringify({ to, text }),
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
        signal,
      });
      await response.body.dump().catch(() => undefined);
      if (response.statusCode < 200 || response.statusCode >= 300) {
        throw new DeliveryFailure(`the SMS provider answered ${response.statusCode}`, response.statusCode);
      }
    },
  };
}
