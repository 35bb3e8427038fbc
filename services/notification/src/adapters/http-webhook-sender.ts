import { createAllowList, ForbiddenAddress, guardedConnector } from '@fiscal/kit/net';
import { Agent, buildConnector, request } from 'undici';
import { type ChannelSender, DeliveryFailure, signWebhook } from '../domain/index.js';

export interface HttpWebhookSenderOptions {
  /**
   * Hosts the private-address guard does not apply to (`FISCAL_WEBHOOK_ALLOW_HOSTS`); without a port
   * only the scheme's default port (80, 443) is open.
   */
  allowHosts?: readonly string[];
  /**
   * This process's own ports (HTTP, admin, gRPC), refused on this machine with the platform's default
   * ones, allow-list or not.
   */
  platformPorts?: readonly number[];
  connectTimeoutMs?: number;
  /** From the request being sent to the last response header. */
  responseTimeoutMs?: number;
  clock?: () => Date;
}

export interface HttpWebhookSender extends ChannelSender {
  close(): Promise<void>;
}

/** How much of a receiver's answer the delivery log keeps, and how long reading it may take. */
const answerLimitBytes = 16 * 1024;
const answerTimeoutMs = 1_000;

/**
 * POSTs a delivery's payload, signed as Standard Webhooks says, on a pool whose connector refuses
 * private, loopback and link-local addresses (judged on the address connected to, after DNS).
 * Redirects are not followed: a receiver that moved must be subscribed again.
 */
export function createHttpWebhookSender(options: HttpWebhookSenderOptions = {}): HttpWebhookSender {
  const clock = options.clock ?? (() => new Date());
  const connectTimeoutMs = options.connectTimeoutMs ?? 5_000;
  const responseTimeoutMs = options.responseTimeoutMs ?? 15_000;
  const allowed = createAllowList(options.allowHosts ?? [], { platformPorts: options.platformPorts ?? [] });
  const agent = new Agent({
    connect: guardedConnector(buildConnector, allowed, connectTimeoutMs),
    headersTimeout: responseTimeoutMs,
    bodyTimeout: answerTimeoutMs,
  });

  return {
    async send(delivery, signal) {
      if (delivery.secret === null) throw new Error(`webhook delivery ${delivery.id} has no secret`);
      const timestamp = Math.floor(clock().getTime() / 1000);
      let statusCode: number;
      try {
        const response = await request(delivery.url, {
          dispatcher: agent,
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'user-agent': 'fiscal-webhooks',
            'webhook-id': delivery.id,
            'webhook-timestamp': String(timestamp),
            'webhook-signature': signWebhook(delivery.secret, delivery.id, timestamp, delivery.payload),
          },
          body: delivery.payload,
          signal,
        });
        statusCode = response.statusCode;
        await response.body
          .dump({ limit: answerLimitBytes, signal: AbortSignal.timeout(answerTimeoutMs) })
          .catch(() => undefined);
      } catch (error) {
        if (signal.aborted) throw signal.reason ?? error;
        throw failureOf(error);
      }
      if (statusCode < 200 || statusCode >= 300) {
        throw new DeliveryFailure(`the receiver answered ${statusCode}`, statusCode);
      }
      return { statusCode };
    },
    close: () => agent.close(),
  };
}

/** Socket-level codes a tenant may read: they say what went wrong, not where inside the platform. */
const tellableNetworkCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_SOCKET',
]);

function failureOf(error: unknown): DeliveryFailure {
  if (error instanceof ForbiddenAddress) {
    return new DeliveryFailure(
      'forbidden_address: the receiver is at an address webhooks may not reach',
      null,
      {
        detail: `${error.address} is not allowed`,
      },
    );
  }
  const code = (error as { code?: unknown } | null)?.code;
  const tellable = typeof code === 'string' && tellableNetworkCodes.has(code) ? code : 'connection failed';
  return new DeliveryFailure(`network: ${tellable}`, null, {
    cause: error,
    detail: error instanceof Error ? error.message : String(error),
  });
}
