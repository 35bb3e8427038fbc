import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { validateCfdi } from '../index.js';
import { bundledCatalogs } from '../testing/references.js';
import { type GenerateCfdiOptions, generateCfdi } from './generate-cfdi.js';
import { seededRandom } from './seeded-random.js';
import { pacStoreOf, satTestCredentials } from './testing/sat-test-credentials.js';

const credentials = satTestCredentials();
// A fixed `now` inside the test CSD's validity keeps every run reproducible.
const now = new Date('2026-11-01T18:00:00Z');
// The fake stamp is signed with the test CSD playing PAC, so a store holding it verifies the stamp.
const certificates = pacStoreOf(credentials);

/** The options a caller may leave out or set, each drawn by fast-check; the rest comes from the seed. */
const generation = fc.record({
  seed: fc.integer(),
  concepts: fc.option(fc.integer({ min: 1, max: 8 }), { nil: undefined }),
  withDiscounts: fc.option(fc.boolean(), { nil: undefined }),
  withTaxes: fc.option(fc.boolean(), { nil: undefined }),
  withWithholdings: fc.option(fc.boolean(), { nil: undefined }),
  currency: fc.option(fc.constantFrom('MXN' as const, 'USD' as const, 'EUR' as const), { nil: undefined }),
  stamped: fc.boolean(),
});

type Generation = typeof generation extends fc.Arbitrary<infer T> ? T : never;

function optionsOf({ seed, stamped, ...choices }: Generation): GenerateCfdiOptions {
  return {
    ...choices,
    random: seededRandom(seed),
    credentials,
    now,
    stamp: stamped ? credentials : undefined,
  };
}

describe('generateCfdi', () => {
  it('makes documents the validator accepts in full, whatever the options', () => {
    fc.assert(
      fc.property(generation, (drawn) => {
        const generated = generateCfdi(optionsOf(drawn));
        const verdict = validateCfdi(generated.xml, {
          requireStamp: drawn.stamped,
          certificates,
          catalogs: bundledCatalogs,
          now,
        });
        expect(verdict.problems, `seed ${drawn.seed}`).toEqual([]);
        expect(verdict.outcome).toBe('valid');
        expect(verdict.metadata, `seed ${drawn.seed}`).toEqual(generated.metadata);
      }),
      { seed: 20_261_101, numRuns: 4_000 },
    );
  });

  it('makes the same document from the same seed', () => {
    const first = generateCfdi({ random: seededRandom(7), credentials, now });
    const second = generateCfdi({ random: seededRandom(7), credentials, now });
    expect(second.xml).toBe(first.xml);
    expect(generateCfdi({ random: seededRandom(8), credentials, now }).xml).not.toBe(first.xml);
  });

  it('issues in the name of the certificate holder, without the company type, sealed with its CSD', () => {
    const { xml, metadata } = generateCfdi({ random: seededRandom(1), credentials, now });
    expect(metadata.issuer).toBe('EKU9003173C9');
    expect(xml).toContain(
      '<cfdi:Emisor Rfc="EKU9003173C9" Nombre="ESCUELA KEMPER URGATE" RegimenFiscal="601"/>',
    );
    expect(xml).toContain('NoCertificado="30001000000500003416"');
    expect(xml).toMatch(/ Sello="[A-Za-z0-9+/]{300,}={0,2}"/);
  });

  it('follows the options it is given', () => {
    const { xml, metadata } = generateCfdi({
      random: seededRandom(3),
      credentials,
      now,
      issuer: { rfc: 'EKU9003173C9', name: 'ESCUELA KEMPER', regime: '601' },
      receiver: {
        rfc: 'CACX7605101P8',
        name: 'XOCHILT CASAS CHAVEZ',
        regime: '612',
        postalCode: '36257',
        use: 'D01',
      },
      concepts: 4,
      withDiscounts: false,
      withTaxes: false,
      currency: 'USD',
    });
    expect(xml.match(/<cfdi:Concepto /g)).toHaveLength(4);
    expect(xml).not.toContain('Descuento=');
    expect(xml).not.toContain('<cfdi:Impuestos');
    expect(xml).toMatch(/ Moneda="USD" TipoCambio="\d+\.\d{4}"/);
    expect(xml).toContain('UsoCFDI="D01"');
    expect(metadata).toMatchObject({ receiver: 'CACX7605101P8', currency: 'USD', uuid: null });
  });

  it('writes Fecha in the days before now, and stamps it minutes later', () => {
    const { xml, metadata } = generateCfdi({ random: seededRandom(5), credentials, now, stamp: credentials });
    const fecha = Date.parse(`${metadata.issuedAt}-06:00`);
    expect(fecha).toBeLessThanOrEqual(now.getTime());
    expect(fecha).toBeGreaterThan(now.getTime() - 6 * 86_400_000);
    const fechaTimbrado = Date.parse(`${/FechaTimbrado="([^"]+)"/.exec(xml)![1]}-06:00`);
    expect(fechaTimbrado - fecha).toBeGreaterThan(0);
    expect(fechaTimbrado).toBeLessThanOrEqual(now.getTime());
    expect(metadata.uuid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('needs at least one Concepto', () => {
    expect(() => generateCfdi({ random: seededRandom(1), credentials, now, concepts: 0 })).toThrow(
      RangeError,
    );
  });

  it('refuses to seal when the certificate was not valid before now', () => {
    expect(() =>
      generateCfdi({ random: seededRandom(1), credentials, now: new Date('2023-05-18T00:00:00Z') }),
    ).toThrow(/not valid before/);
  });

  it('makes a typical invoice of about 5 KB', () => {
    const sizes = Array.from({ length: 200 }, (_, seed) =>
      Buffer.byteLength(generateCfdi({ random: seededRandom(seed), credentials, now }).xml),
    ).sort((a, b) => a - b);
    expect(sizes[100]).toBeGreaterThan(4_000);
    expect(sizes[100]).toBeLessThan(6_500);
  });
});
