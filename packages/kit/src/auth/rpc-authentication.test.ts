import { createClient } from '@connectrpc/connect';
import { serviceTokenAudience } from '@fiscal/contracts';
import { exportJWK, generateKeyPair, SignJWT, UnsecuredJWT } from 'jose';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromConnectError } from '../grpc/error-mapping.js';
import { createGrpcServer } from '../grpc/server.js';
import { EchoService } from '../grpc/testing/gen/echo_pb.js';
import { createGrpcClientTransport, type GrpcClientTransport } from '../grpc/transports.js';
import { authenticateRpcCallers, bearerHeader, optionalRpcCallerOf, rpcCallerOf } from './index.js';
import { createTestTokenIssuer, type TestTokenIssuer } from './testing/index.js';

const logger = pino({ level: 'silent' });

/**
 * A service behind a real HTTP/2 port, as a caller that reaches it directly would find it: `Echo`
 * needs a token and the `invoices:read` scope and answers with the verified caller's organisation;
 * `EchoStream` is anonymous.
 */
describe('authenticated RPC callers', () => {
  let issuer: TestTokenIssuer;
  let server: ReturnType<typeof createGrpcServer>;
  let transport: GrpcClientTransport;
  let client: ReturnType<typeof createClient<typeof EchoService>>;

  beforeAll(async () => {
    issuer = await createTestTokenIssuer();
    server = createGrpcServer({
      logger,
      register: (router) =>
        router.service(EchoService, {
          async echo(request, context) {
            const caller = rpcCallerOf(context, 'invoices:read');
            return { text: `${caller.orgId}:${caller.subject}:${request.text}` };
          },
          async *echoStream(_request, context) {
            yield { text: optionalRpcCallerOf(context)?.orgId ?? 'anonymous' };
          },
        }),
      interceptors: [
        authenticateRpcCallers({
          verifier: issuer.verifier,
          anonymous: [`${EchoService.typeName}/EchoStream`],
        }),
      ],
    });
    const { port } = await server.listen({ host: '127.0.0.1', port: 0 });
    transport = createGrpcClientTransport({ baseUrl: `http://127.0.0.1:${port}` });
    client = createClient(EchoService, transport);
  });

  afterAll(async () => {
    transport.close();
    await server.close();
  });

  const refusal = async (call: Promise<unknown>) => {
    try {
      await call;
    } catch (error) {
      return fromConnectError(error);
    }
    throw new Error('the call was not refused');
  };

  it('acts for the organisation and subject of the verified token, not for anything in the request', async () => {
    const token = await issuer.token({ orgId: 'org_b', subject: 'usr_7' });
    const answer = await client.echo({ text: 'org_a' }, { headers: bearerHeader(token) });
    expect(answer.text).toBe('org_b:usr_7:org_a');
  });

  it('takes a token minted for an API key (the services audience)', async () => {
    const token = await issuer.token({ kind: 'api_key', subject: 'key_1', audience: serviceTokenAudience });
    expect((await client.echo({ text: 'x' }, { headers: bearerHeader(token) })).text).toBe('org_a:key_1:x');
  });

  it.each([
    ['no token', async () => undefined],
    ['a malformed header', async () => 'Basic dXNlcjpwYXNz'],
    ['garbage', async () => 'Bearer not.a.token'],
    ['an unsigned token (alg none)', async () => `Bearer ${new UnsecuredJWT({ org: 'org_a' }).encode()}`],
    [
      'a token signed with a key the auth service never published',
      async () => {
        const { privateKey, publicKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
        await exportJWK(publicKey);
        const forged = await new SignJWT({
          org: 'org_a',
          scopes: ['admin'],
          tier: 'pro',
          jti: 'j',
          padm: true,
        })
          .setProtectedHeader({ alg: 'EdDSA', kid: 'test-key' })
          .setSubject('usr_forged')
          .setIssuer('fiscal-auth')
          .setAudience('fiscal-api')
          .setIssuedAt()
          .setExpirationTime('10m')
          .sign(privateKey);
        return `Bearer ${forged}`;
      },
    ],
    ['an expired token', async () => `Bearer ${await issuer.token({ ttlSeconds: -120 })}`],
    ['a token for another audience', async () => `Bearer ${await issuer.token({ audience: 'elsewhere' })}`],
  ])('refuses a call with %s as unauthenticated', async (_name, header) => {
    const value = await header();
    const headers = value === undefined ? {} : { authorization: value };
    expect(await refusal(client.echo({ text: 'x' }, { headers }))).toMatchObject({
      kind: 'unauthenticated',
    });
  });

  it('refuses a caller without the scope the call needs', async () => {
    const token = await issuer.token({ scopes: ['reports:read'] });
    expect(await refusal(client.echo({ text: 'x' }, { headers: bearerHeader(token) }))).toMatchObject({
      kind: 'forbidden',
      code: 'insufficient_scope',
    });
  });

  it('lets anonymous procedures through, knowing the caller when a valid token came along', async () => {
    const anonymous: string[] = [];
    for await (const answer of client.echoStream({ text: 'x' })) anonymous.push(answer.text);
    const known: string[] = [];
    const token = await issuer.token({ orgId: 'org_c' });
    for await (const answer of client.echoStream({ text: 'x' }, { headers: bearerHeader(token) }))
      known.push(answer.text);
    const ignored: string[] = [];
    for await (const answer of client.echoStream(
      { text: 'x' },
      { headers: { authorization: 'Bearer x.y.z' } },
    ))
      ignored.push(answer.text);
    expect({ anonymous, known, ignored }).toEqual({
      anonymous: ['anonymous'],
      known: ['org_c'],
      ignored: ['anonymous'],
    });
  });
});
