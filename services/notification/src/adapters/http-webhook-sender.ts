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

function failureOf(error: unknown): DeliveryFailure {
  if (error instanceof ForbiddenAddress) {
    return new DeliveryFailure(
      `forbidden_address: ${error.address} is private, loopback or link-local`,
      null,
    );
  }
  const code = (error as { code?: unknown } | null)?.code;
  const reason = typeof code === 'string' ? code : (error as Error).message;
  return new DeliveryFailure(`network: ${reason}`, null, { cause: error });
}
