// CFDI validation throughput on one core, over generated invoices (seeded, so every run sees the
// same documents): structure and SAT's rule matrix against the catalogs without the seal, then the
// Sello verified too, then a stamped document with its SelloSAT verified against a certificate store
// (what the processor runs). Also reports how fast the generator makes them.
// Run after `npm run build`: node bench/cfdi-validation.mjs [seconds per variant = 3]
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { loadCfdiCatalogs } from '../services/invoice/dist/adapters/fs-cfdi-catalogs.js';
import { generateCfdi, seededRandom } from '../services/invoice/dist/domain/cfdi/generator/index.js';
import { validateCfdi } from '../services/invoice/dist/domain/cfdi/index.js';
import { certificateNumberOf } from '../services/invoice/dist/domain/cfdi/seal/index.js';

const seconds = Number(process.argv[2] ?? 3);
const certs = new URL('../fixtures/cfdi/certs/', import.meta.url);
const credentials = {
  certificate: new X509Certificate(readFileSync(new URL('EKU9003173C9.cer', certs))),
  privateKey: createPrivateKey(readFileSync(new URL('EKU9003173C9.key.pem', certs))),
};
// The test CSD plays PAC for the generated stamps; a store holding it verifies their SelloSAT.
const pacNumber = certificateNumberOf(credentials.certificate);
const certificates = { find: (number) => (number === pacNumber ? credentials.certificate : undefined) };
const now = new Date('2026-11-01T18:00:00Z');
const catalogs = await loadCfdiCatalogs();
const withoutSeal = { catalogs, now, requireStamp: false, verifySeal: false };
const withSeal = { catalogs, now, requireStamp: false };
const withStamp = { catalogs, now, certificates };

/**
 * Calls per second of `work(i)` over `seconds`, after a warm-up of a fifth of that: per second of
 * elapsed time, and per second of this process's CPU time, which other processes on a shared machine
 * disturb far less.
 */
function rate(work) {
  const run = (milliseconds) => {
    let calls = 0;
    const started = performance.now();
    const cpu = process.cpuUsage();
    while (performance.now() - started < milliseconds) for (let batch = 0; batch < 50; batch++) work(calls++);
    const used = process.cpuUsage(cpu);
    return {
      elapsed: calls / ((performance.now() - started) / 1000),
      cpu: calls / ((used.user + used.system) / 1e6),
    };
  };
  run(seconds * 200);
  return run(seconds * 1000);
}

// A pool of typical invoices: default options (1 to 6 Conceptos, taxes, some discounts and withholdings).
const pool = (stamped) =>
  Array.from(
    { length: 500 },
    (_, seed) =>
      generateCfdi({ random: seededRandom(seed), credentials, now, stamp: stamped ? credentials : undefined })
        .xml,
  );
const unstamped = pool(false);
const stamped = pool(true);
const size = (documents) =>
  documents.reduce((sum, xml) => sum + Buffer.byteLength(xml), 0) / documents.length;
const median = (documents) =>
  documents.map((xml) => Buffer.byteLength(xml)).sort((a, b) => a - b)[documents.length >> 1];

for (const [document, options] of [
  [unstamped, withoutSeal],
  [unstamped, withSeal],
  [stamped, withStamp],
])
  for (const xml of document)
    if (validateCfdi(xml, options).problems.length > 0) throw new Error('a generated document is not valid');

const variants = [
  ['structure + rule matrix, no seal', () => rate((i) => validateCfdi(unstamped[i % 500], withoutSeal))],
  ['+ Sello verified (RSA-2048)', () => rate((i) => validateCfdi(unstamped[i % 500], withSeal))],
  ['+ stamp, SelloSAT verified', () => rate((i) => validateCfdi(stamped[i % 500], withStamp))],
  [
    'generateCfdi (sealing included)',
    () => rate((i) => generateCfdi({ random: seededRandom(i), credentials, now })),
  ],
];

console.log(`${cpus()[0]?.model ?? 'unknown CPU'}, Node.js ${process.version}, ${seconds} s per variant`);
console.log(
  `documents: unstamped mean ${(size(unstamped) / 1024).toFixed(2)} KB (median ${(median(unstamped) / 1024).toFixed(2)} KB), stamped mean ${(size(stamped) / 1024).toFixed(2)} KB`,
);
console.log(`${''.padEnd(32)} ${'per second'.padStart(11)} ${'per CPU second'.padStart(15)}`);
for (const [name, measure] of variants) {
  const { elapsed, cpu } = measure();
  console.log(`${name.padEnd(32)} ${elapsed.toFixed(0).padStart(11)} ${cpu.toFixed(0).padStart(15)}`);
}
