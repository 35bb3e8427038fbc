import { bundledCatalogs } from '../../catalogs/testing/bundled-catalogs.js';
import { defaultReadingLimits, parseDocument } from '../../parse-document.js';
import type { CfdiProblem } from '../../problems.js';
import { fixtureText, replaceOnce } from '../../testing/fixtures.js';
import { checkSatRules } from '../index.js';

/** A document to check and the moment it is checked at (near its Fecha, so it is neither future nor stale). */
export interface RuleDocument {
  readonly text: string;
  readonly now: Date;
}

/** `[search, replacement]`: the search must occur exactly once, so a change cannot silently miss. */
export type Change = readonly [search: string, replacement: string];

/** The VALID fixtures the rule tests change one thing in. */
export const validDocuments = {
  /** Ingreso in MXN: one Concepto with a Descuento and IVA 16 %, stamped. */
  ingreso: {
    text: fixtureText('cfdiutils-cfdi40-valid.xml'),
    now: new Date('2025-02-20T12:00:00Z'),
  },
  /** Ingreso in USD (TipoCambio 18.9008): three Conceptos, whole-number amounts, pre-stamp. */
  ingresoUsd: {
    text: fixtureText('cfdiutils-created-with-discounts-40.xml'),
    now: new Date('2023-06-19T12:00:00Z'),
  },
  /** Pago with Pagos 2.0: one payment of 15000.00 MXN over two documents with IVA 16 %, pre-stamp. */
  pago: {
    text: fixtureText('cfdiutils-created-cfdi40-pago20-valid.xml'),
    now: new Date('2023-06-14T12:00:00Z'),
  },
  /** Pago with IVA withheld and IEPS transferred (SAT-valid content; the file itself has no seal). */
  pagoWithRetenciones: {
    text: fixtureText('cfdiutils-pagos20-calculator-002.xml'),
    now: new Date('2023-03-02T12:00:00Z'),
  },
} satisfies Record<string, RuleDocument>;

export function changed(document: RuleDocument, ...changes: readonly Change[]): RuleDocument {
  return {
    ...document,
    text: changes.reduce(
      (text, [search, replacement]) => replaceOnce(text, search, replacement),
      document.text,
    ),
  };
}

export function problemsOf(document: RuleDocument): CfdiProblem[] {
  const parsed = parseDocument(document.text, defaultReadingLimits);
  if (!parsed.ok) throw new Error(`the test document does not parse: ${parsed.problem.message}`);
  return checkSatRules(parsed.root, { catalogs: bundledCatalogs(), now: document.now });
}

export function codesOf(document: RuleDocument): string[] {
  return problemsOf(document).map((problem) => problem.code);
}
