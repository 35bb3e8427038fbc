import type { CfdiCatalogs } from './catalogs/index.js';
import { checkComprobanteStructure } from './comprobante-structure.js';
import { compareDeclaredMetadata, type DeclaredMetadata } from './declared-metadata.js';
import { classifyDocument } from './document-kind.js';
import { type DocumentMetadata, readDocumentMetadata } from './document-metadata.js';
import { defaultReadingLimits, parseDocument, type ReadingLimits } from './parse-document.js';
import { ProblemList } from './problem-list.js';
import type { CfdiProblem } from './problems.js';
import { checkSatRules } from './rules/index.js';
import { type CertificateStore, checkSeal, checkStampSeal, SealProblemCodes } from './seal/index.js';
import { checkStamp } from './stamp.js';

export interface CfdiValidationOptions {
  /** When given, the document must match it. */
  declared?: DeclaredMetadata;
  /** Default true: a document without TimbreFiscalDigital 1.1 is invalid (code `not_stamped`). */
  requireStamp?: boolean;
  /** Default 5 MiB. */
  maxBytes?: number;
  /** Default 64 element levels. */
  maxDepth?: number;
  /** Default 200,000 elements. */
  maxElements?: number;
  /** Verify Sello over the cadena original with the embedded Certificado (default true). */
  verifySeal?: boolean;
  /**
   * PAC and SAT certificates that verify the stamp's SelloSAT. Without a store the stamp's form is
   * checked but not its signature.
   */
  certificates?: CertificateStore;
  /**
   * SAT's catalogs. The rule matrix (dates, amounts and taxes, currencies, regimes and uses, Pagos
   * 2.0, every catalog-typed attribute) reads them: without catalogs it is not run.
   */
  catalogs?: CfdiCatalogs;
  /** The instant dates are judged against (a Fecha in the future, catalog validity); default now. */
  now?: Date;
}

/**
 * - 'unsupported': not a CFDI 4.0 Comprobante (3.3, 3.2, Retenciones, other roots).
 * - 'unverifiable': nothing is wrong except that the stamp's PAC certificate is not in the store, so
 *   the stamp could not be verified (a distinct outcome: adding the certificate may settle it).
 */
export type CfdiOutcome = 'valid' | 'invalid' | 'unsupported' | 'unverifiable';

export interface CfdiVerdict {
  outcome: CfdiOutcome;
  /** The Version attribute, when readable. */
  version: string | null;
  /**
   * The problems found, empty if and only if the outcome is 'valid': the first `maxProblemsKept`
   * and, when there were more, a last one (`too_many_problems`) saying how many.
   */
  problems: CfdiProblem[];
  /** What the document says, when it could be read. */
  metadata: DocumentMetadata | null;
}

/**
 * Validates a CFDI 4.0 document as a certification provider would: safe and well-formed XML, the
 * structure of cfdv40.xsd, SAT's rule matrix against the catalogs, the Sello over the cadena
 * original, the stamp (its presence, and its SelloSAT given a certificate store) and, when given,
 * the declared metadata. Every problem is counted, the first hundred kept (ProblemList); only a
 * document that cannot be read safely stops at the first.
 */
export function validateCfdi(
  document: Uint8Array | string,
  options: CfdiValidationOptions = {},
): CfdiVerdict {
  const parsed = parseDocument(document, limitsOf(options));
  if (!parsed.ok) return { outcome: 'invalid', version: null, problems: [parsed.problem], metadata: null };
  const kind = classifyDocument(parsed.root);
  if (!kind.supported)
    return { outcome: 'unsupported', version: kind.version, problems: [kind.problem], metadata: null };

  const comprobante = parsed.root;
  const stampRequired = options.requireStamp ?? true;
  const problems = new ProblemList();
  checkComprobanteStructure(comprobante, problems);
  checkStamp(comprobante, stampRequired, problems);
  if (options.catalogs)
    checkSatRules(comprobante, { catalogs: options.catalogs, now: options.now ?? new Date() }, problems);
  if (options.verifySeal !== false) problems.pushAll(checkSeal(comprobante));
  if (options.certificates) problems.pushAll(checkStampSeal(comprobante, options.certificates).problems);
  if (options.declared)
    problems.pushAll(compareDeclaredMetadata(options.declared, comprobante, { stampRequired }));
  return {
    outcome: outcomeOf(problems),
    version: kind.version,
    problems: problems.toArray(),
    metadata: readDocumentMetadata(comprobante).metadata,
  };
}

/**
 * For raw-XML submissions: the metadata to create an invoice from, or the problems that prevent
 * reading it (the same safety checks as validateCfdi). `uuid` is null for a document without a stamp.
 */
export function readCfdiMetadata(
  document: Uint8Array | string,
  options: Pick<CfdiValidationOptions, 'maxBytes' | 'maxDepth' | 'maxElements'> = {},
): { metadata: DocumentMetadata | null; problems: CfdiProblem[] } {
  const parsed = parseDocument(document, limitsOf(options));
  if (!parsed.ok) return { metadata: null, problems: [parsed.problem] };
  const kind = classifyDocument(parsed.root);
  if (!kind.supported) return { metadata: null, problems: [kind.problem] };
  return readDocumentMetadata(parsed.root);
}

function outcomeOf(problems: ProblemList): CfdiOutcome {
  if (problems.found === 0) return 'valid';
  const onlyUnverifiable =
    problems.found === problems.kept().length &&
    problems.kept().every((problem) => problem.code === SealProblemCodes.stampUnverifiable);
  return onlyUnverifiable ? 'unverifiable' : 'invalid';
}

function limitsOf(
  options: Pick<CfdiValidationOptions, 'maxBytes' | 'maxDepth' | 'maxElements'>,
): ReadingLimits {
  return {
    maxBytes: options.maxBytes ?? defaultReadingLimits.maxBytes,
    maxDepth: options.maxDepth ?? defaultReadingLimits.maxDepth,
    maxElements: options.maxElements ?? defaultReadingLimits.maxElements,
  };
}
