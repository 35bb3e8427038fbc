import { createPrivateKey, randomInt, randomUUID, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { generateCfdi, seededRandom } from '@fiscal/cfdi/generator';
import { fiscalApi } from '../api-client.js';
import { authorizationFor, type ClientCredentials } from './credentials.js';

export const loadUsage = `fiscal load [--count N] [--batch N] [--concurrency N] [--url URL] [--seed N] [--unstamped] [--wait]
           [--email E] (password in FISCAL_PASSWORD) | token in FISCAL_TOKEN
  generates sealed CFDI 4.0 invoices and submits them to a gateway in batches, then reports the rate;
  --wait follows every accepted invoice to its final status. Each run takes a new random seed unless
  --seed names one (the run prints it). Without credentials it logs in as the bootstrap admin of a
  local \`fiscal start\` (its password file under FISCAL_DATA_DIR).`;

export interface LoadOptions {
  count: number;
  batch: number;
  concurrency: number;
  url: string;
  /** The first document's seed; absent: a random one, so that another run submits other invoices. */
  seed: number | undefined;
  unstamped: boolean;
  wait: boolean;
  credentials: ClientCredentials;
}

// SAT's public test CSD (fixtures/cfdi/certs): it seals the documents and, as a stand-in PAC, stamps them.
const credentialsDirectory = new URL('../../../../fixtures/cfdi/certs/', import.meta.url);
const finalStatuses = new Set(['archived', 'rejected', 'failed']);

/**
 * The load tool: documents from the same generator the tests use, submitted as a client would.
 * Their stamps are signed by SAT's test CSD, so the platform verifies them only when its certificate
 * store holds that certificate (FISCAL_CERTIFICATE_DIR); `--unstamped` sends pre-stamp documents for a
 * platform started with FISCAL_ALLOW_UNSTAMPED=true.
 */
export async function runLoad(options: LoadOptions): Promise<number> {
  const credentials = {
    certificate: new X509Certificate(readFileSync(new URL('EKU9003173C9.cer', credentialsDirectory))),
    privateKey: createPrivateKey(readFileSync(new URL('EKU9003173C9.key.pem', credentialsDirectory))),
  };
  const seed = options.seed ?? randomSeed(options.count);
  const items = Array.from({ length: options.count }, (_, n) => {
    const generated = generateCfdi({
      random: seededRandom(seed + n),
      credentials,
      stamp: options.unstamped ? undefined : credentials,
    });
    const { metadata } = generated;
    return {
      uuid: metadata.uuid ?? randomUUID(),
      issuer: metadata.issuer,
      receiver: metadata.receiver,
      amount: metadata.total,
      currency: metadata.currency,
      issuanceDate: `${metadata.issuedAt}-06:00`,
      xml: generated.xml,
    };
  });

  const api = fiscalApi(options.url, await authorizationFor(options.url, options.credentials));
  const batches: (typeof items)[] = [];
  for (let start = 0; start < items.length; start += options.batch)
    batches.push(items.slice(start, start + options.batch));
  const accepted: string[] = [];
  const refusals = new Map<string, number>();
  const started = performance.now();
  await inParallel(batches, options.concurrency, async (batch) => {
    const { data, error, response } = await api.POST('/api/v1/invoices/batch', { body: { items: batch } });
    if (!data) {
      const refusal = `batch ${response.status} ${error?.code ?? ''}`;
      refusals.set(refusal, (refusals.get(refusal) ?? 0) + 1);
      return;
    }
    for (const result of data.results) {
      if (result.status === 'accepted') accepted.push(result.id);
      else refusals.set(result.code, (refusals.get(result.code) ?? 0) + 1);
    }
  });
  const seconds = (performance.now() - started) / 1000;
  console.log(
    `submitted ${items.length} in ${seconds.toFixed(1)} s (${(items.length / seconds).toFixed(0)}/s): ` +
      `${accepted.length} accepted, ${items.length - accepted.length} refused (seed ${seed})`,
  );
  for (const [code, count] of refusals) console.log(`  refused ${code}: ${count}`);
  if (!options.wait) return accepted.length === items.length ? 0 : 1;

  const statuses = new Map<string, number>();
  const reasons = new Map<string, number>();
  const deadline = Date.now() + 300_000;
  await inParallel(accepted, 16, async (id) => {
    for (;;) {
      const { data: invoice } = await api.GET('/api/v1/invoices/{id}', { params: { path: { id } } });
      if (invoice && finalStatuses.has(invoice.status)) {
        statuses.set(invoice.status, (statuses.get(invoice.status) ?? 0) + 1);
        if (invoice.reason) reasons.set(invoice.reason, (reasons.get(invoice.reason) ?? 0) + 1);
        return;
      }
      if (Date.now() > deadline) {
        statuses.set('unfinished', (statuses.get('unfinished') ?? 0) + 1);
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  });
  const total = (performance.now() - started) / 1000;
  console.log(
    `final after ${total.toFixed(1)} s: ${[...statuses].map(([status, n]) => `${n} ${status}`).join(', ')}`,
  );
  for (const [reason, count] of reasons) console.log(`  ${reason}: ${count}`);
  return statuses.get('archived') === items.length ? 0 : 1;
}

/**
 * Document n of a run comes from seed + n, and the same seed gives the same fiscal UUIDs: a second
 * run with the first one's seed submits the same invoices again, whose dates have moved on since
 * (each is dated within days of now), and the platform refuses them as `invoice_uuid_conflict`.
 * A random seed in the 32 bits the generator takes keeps two runs' documents apart.
 */
function randomSeed(count: number): number {
  return randomInt(0, 2 ** 32 - count);
}

async function inParallel<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) await work(items[next++]!);
    }),
  );
}
