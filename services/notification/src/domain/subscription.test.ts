import { AppError } from '@fiscal/kit/errors';
import { createAllowList } from '@fiscal/kit/net';
import { describe, expect, it } from 'vitest';
import { checkSubscriptionRequest } from './subscription.js';

const events = ['fiscal.invoice.archived'];

/** The code of the refusal on `/url`, or the channel when the subscription is accepted. */
function verdict(url: string, allowHosts: string[] = []): string {
  try {
    return checkSubscriptionRequest({ url, events }, createAllowList(allowHosts, { platformPorts: [7000] }));
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    return error.errors.find((problem) => problem.field === '/url')?.code ?? 'accepted';
  }
}

describe('a webhook subscription', () => {
  it.each([
    ['https://erp.example/hooks', [], 'webhook'],
    ['http://127.0.0.1/hooks', [], 'forbidden_address'],
    ['http://[64:ff9b::7f00:1]/hooks', [], 'forbidden_address'],
    ['http://[2002:a00:1::]/hooks', [], 'forbidden_address'],
    ['http://localhost:8081/hooks', [], 'forbidden_address'],
    // Listed hosts: a bare host opens the default port only, host:port that port.
    ['http://10.0.0.7/hooks', ['10.0.0.7'], 'webhook'],
    ['https://10.0.0.7/hooks', ['10.0.0.7'], 'webhook'],
    ['http://10.0.0.7:8081/hooks', ['10.0.0.7'], 'forbidden_address'],
    ['http://127.0.0.1:8081/hooks', ['127.0.0.1:8081'], 'webhook'],
    // The platform's own ports on this machine, listed or not.
    ['http://127.0.0.1:9090/dead-letters/x/purge', ['127.0.0.1:9090'], 'forbidden_address'],
    ['http://localhost:8080/api/v1/invoices', ['localhost:8080'], 'forbidden_address'],
    ['http://[::1]:50051/', ['[::1]:50051'], 'forbidden_address'],
    ['http://127.0.0.1:7000/', ['127.0.0.1:7000'], 'forbidden_address'],
    ['http://10.0.0.7:9090/hooks', ['10.0.0.7:9090'], 'webhook'],
  ])('to %s with %j listed: %s', (url, allowHosts, expected) => {
    expect(verdict(url, allowHosts)).toBe(expected);
  });
});
