// CFDI validation throughput on one core, over generated invoices (seeded, so every run sees the
// same documents): structure and SAT's rule matrix against the catalogs without the seal, then the
// Sello verified too, then a stamped document with its SelloSAT verified against a certificate store
// (what the processor runs). Also reports how fast the generator makes them.
// Run after `npm run build`: node bench/cfdi-validation.mjs [seconds per variant = 3]
// FISCAL_BENCH_BASELINE=<another checkout, built> measures its validator in the same run, on the same
// documents, in alternating rounds with this one's, and prints both and their ratio.
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { generateCfdi, seededRandom } from '../packages/cfdi/dist/generator/index.js';
import { certificateNumberOf, loadCfdiCatalogs, validateCfdi } from '../packages/cfdi/dist/index.js';

const seconds = Number(process.argv[2] ?? 3);
const baselineCheckout = process.env.FISCAL_BENCH_BASELINE;
const certs = new URL('../fixtures/cfdi/certs/', import.meta.url);
const credentials = {
  certificate: new X509Certificate(readFileSync(new URL('EKU9003173C9.cer', certs))),
  privateKey: createPrivateKey(readFileSync(new URL('EKU9003173C9.key.pem', certs))),
};
// The test CSD plays PAC for the generated stamps; a store holding it verifies their SelloSAT.
const pacNumber = certificateNumberOf(credentials.certificate);
const certificates = { find: (number) => (number === pacNumber ? credentials.certificate : undefined) };
const now = new Date('2026-11-01T18:00:00Z');

/** A validator and the catalogs it reads (each build parses its own), with the three option sets. */
async function validatorOf(validate, loadCatalogs) {
  const catalogs = await loadCatalogs();
  return {
    validate,
    withoutSeal: { catalogs, now, requireStamp: false, verifySeal: false },
    withSeal: { catalogs, now, requireStamp: false },
    withStamp: { catalogs, now, certificates },
  };
}

const current = await validatorOf(validateCfdi, loadCfdiCatalogs);
const baseline = baselineCheckout && (await loadBaseline(baselineCheckout));

/**
 * The baseline's validator: its own package, or, in a checkout from before it was one, inside the
 * invoice service. Chosen by the package's manifest, which git tracks, not by a dist/ a build of
 * another commit may have left behind.
 */
async function loadBaseline(checkout) {
  const layout = existsSync(resolve(checkout, 'packages/cfdi/package.json'))
    ? { dist: 'packages/cfdi/dist', validator: 'index.js', catalogs: 'index.js' }
    : {
        dist: 'services/invoice/dist',
        validator: 'domain/cfdi/index.js',
        catalogs: 'adapters/fs-cfdi-catalogs.js',
      };
  const dist = pathToFileURL(`${resolve(checkout, layout.dist)}/`);
  const { validateCfdi: validate } = await import(new URL(layout.validator, dist).href);
  const { loadCfdiCatalogs: load } = await import(new URL(layout.catalogs, dist).href);
  return validatorOf(validate, load);
}

/**
 * Runs `work(i)` for `milliseconds`, after nothing or a warm-up: calls, elapsed and CPU time (this
 * process's, which other processes on a shared machine disturb far less).
 */
function run(work, milliseconds) {
  let calls = 0;
  const started = performance.now();
  const cpu = process.cpuUsage();
  while (performance.now() - started < milliseconds) for (let batch = 0; batch < 50; batch++) work(calls++);
  const used = process.cpuUsage(cpu);
  return { calls, elapsed: (performance.now() - started) / 1000, cpu: (used.user + used.system) / 1e6 };
}

const ratesOf = ({ calls, elapsed, cpu }) => ({ elapsed: calls / elapsed, cpu: calls / cpu });

/** Calls per second of `work(i)` over `seconds`, after a warm-up of a fifth of that. */
function rate(work) {
  run(work, seconds * 200);
  return ratesOf(run(work, seconds * 1000));
}

/**
 * Both works over `seconds` each, in six rounds that alternate which goes first, so both see the same
 * machine; each warmed up first.
 */
function rates(first, second) {
  const rounds = 6;
  const totals = [first, second].map((work) => {
    run(work, seconds * 200);
    return { calls: 0, elapsed: 0, cpu: 0 };
  });
  for (let round = 0; round < rounds; round++)
    for (const index of round % 2 === 0 ? [0, 1] : [1, 0]) {
      const measured = run(index === 0 ? first : second, (seconds * 1000) / rounds);
      for (const key of ['calls', 'elapsed', 'cpu']) totals[index][key] += measured[key];
    }
  return totals.map(ratesOf);
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

const checks = [
  ['structure + rule matrix, no seal', unstamped, 'withoutSeal'],
  ['+ Sello verified (RSA-2048)', unstamped, 'withSeal'],
  ['+ stamp, SelloSAT verified', stamped, 'withStamp'],
];
for (const validator of baseline ? [current, baseline] : [current])
  for (const [, documents, options] of checks)
    for (const xml of documents)
      if (validator.validate(xml, validator[options]).problems.length > 0)
        throw new Error('a generated document is not valid');

const validation = (validator, documents, options) => (i) =>
  validator.validate(documents[i % 500], validator[options]);

console.log(`${cpus()[0]?.model ?? 'unknown CPU'}, Node.js ${process.version}, ${seconds} s per variant`);
console.log(
  `documents: unstamped mean ${(size(unstamped) / 1024).toFixed(2)} KB (median ${(median(unstamped) / 1024).toFixed(2)} KB), stamped mean ${(size(stamped) / 1024).toFixed(2)} KB`,
);
const figure = ({ elapsed, cpu }) =>
  `${elapsed.toFixed(0).padStart(11)} ${cpu.toFixed(0).padStart(15)} ${(1e6 / cpu).toFixed(0).padStart(11)}`;
const header = `${'per second'.padStart(11)} ${'per CPU second'.padStart(15)} ${'CPU µs each'.padStart(11)}`;
if (baseline) {
  console.log(`baseline: ${baselineCheckout}, in alternating rounds with this build`);
  console.log(`${''.padEnd(44)} ${header}`);
  for (const [name, documents, options] of checks) {
    const [now, before] = rates(
      validation(current, documents, options),
      validation(baseline, documents, options),
    );
    console.log(`${`${name}, baseline`.padEnd(44)} ${figure(before)}`);
    console.log(
      `${`${name}, this build`.padEnd(44)} ${figure(now)}   ×${(now.cpu / before.cpu).toFixed(2)} per CPU second`,
    );
  }
} else {
  console.log(`${''.padEnd(32)} ${header}`);
  for (const [name, documents, options] of checks)
    console.log(`${name.padEnd(32)} ${figure(rate(validation(current, documents, options)))}`);
}
const generation = rate((i) => generateCfdi({ random: seededRandom(i), credentials, now }));
console.log(`${'generateCfdi (sealing included)'.padEnd(baseline ? 44 : 32)} ${figure(generation)}`);
