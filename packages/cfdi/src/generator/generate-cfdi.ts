import { Decimal } from 'decimal.js';
import { Namespaces } from '../namespaces.js';
import {
  borderPostalCodes,
  immediatePaymentForms,
  inlandPostalCodes,
  receivers,
  usesFor,
} from './catalog-sample.js';
import { conceptLine } from './concept-lines.js';
import { assignPaths, cfdiElement, element, serializeDocument, type TreeElement } from './document-tree.js';
import { conceptElement, impuestosElement, money, totalsOf } from './invoice-amounts.js';
import {
  certificateTextOf,
  providerRfcOf,
  type SigningCredentials,
  type StampCredentials,
  sealComprobante,
  signStamp,
} from './seal-document.js';
import { chance, integerBetween, pick, type Random } from './seeded-random.js';

export interface Party {
  rfc: string;
  name: string;
  /** c_RegimenFiscal. */
  regime: string;
}

export interface ReceiverParty extends Party {
  postalCode: string;
  /** c_UsoCFDI; by default one the regime allows. */
  use?: string;
}

export type GeneratedCurrency = 'MXN' | 'USD' | 'EUR';

export interface GenerateCfdiOptions {
  /** Every choice is drawn from it: a seeded one (seededRandom) makes the document reproducible. */
  random: Random;
  /** The issuer's CSD: the document is sealed with it, and issued by its RFC unless `issuer` says otherwise. */
  credentials: SigningCredentials;
  /** Default: the certificate's holder, regime 601 for a company or 612 for a person. */
  issuer?: Party;
  /** Default: one of SAT's test taxpayers. */
  receiver?: ReceiverParty;
  /** Number of Conceptos; default 1 to 6. */
  concepts?: number;
  /** Default: in about 40% of documents, on about 60% of their Conceptos. */
  withDiscounts?: boolean;
  /** Default true: IVA 16%, 8% (border region), 0% or exempt on about 90% of Conceptos; the rest are not taxable (ObjetoImp 01). */
  withTaxes?: boolean;
  /** ISR and IVA withholdings on some IVA 16% Conceptos; default: in about 30% of documents. */
  withWithholdings?: boolean;
  /** Default MXN in about 70% of documents, else USD or EUR (with TipoCambio). */
  currency?: GeneratedCurrency;
  /**
   * A fake TimbreFiscalDigital 1.1 signed with these credentials as PAC. A real stamp needs a PAC's
   * key, so a stamped document verifies only where the certificate store holds this certificate;
   * elsewhere validate with `requireStamp: false` and expect its stamp to be unverifiable.
   */
  stamp?: StampCredentials;
  /** Fecha falls within the 5 days before `now` (and within the certificate's validity). Default: the clock. */
  now?: Date;
}

/** What a caller would declare for the document, as validateCfdi reads it back. */
export interface GeneratedMetadata {
  /** Lower case; null when not stamped. */
  uuid: string | null;
  issuer: string;
  receiver: string;
  total: string;
  currency: string;
  issuedAt: string;
}

export interface GeneratedCfdi {
  xml: string;
  metadata: GeneratedMetadata;
  /** The document as a tree: mutations start from a copy of it. */
  comprobante: TreeElement;
  /** What sealed (and stamped) it, so a mutated copy can be sealed again. */
  signing: { credentials: SigningCredentials; stamp?: StampCredentials };
}

const minute = 60_000;
const hour = 60 * minute;
const day = 24 * hour;
// Fecha is written in Mexico City time (UTC-6, no summer time since 2022), as most issuers write it.
const mexicoCityOffset = -6 * hour;
const exchangeRates: Record<GeneratedCurrency, readonly [number, number]> = {
  MXN: [1, 1],
  USD: [16.5, 20.5],
  EUR: [18, 23],
};

/**
 * A CFDI 4.0 de ingreso that cfdv40.xsd, SAT's rule matrix and its arithmetic accept: Conceptos with
 * Cantidad × ValorUnitario, discounts, IVA transfers and ISR/IVA withholdings, totals per Impuesto,
 * TipoFactor and TasaOCuota rounded half-up to the currency's decimals, catalog keys valid together,
 * sealed with `credentials` over its cadena original, optionally stamped (see `stamp`).
 */
export function generateCfdi(options: GenerateCfdiOptions): GeneratedCfdi {
  const { random, credentials } = options;
  const issuer = options.issuer ?? issuerOf(credentials);
  const receiver = options.receiver ?? receiverOf(random);
  const currency = options.currency ?? (chance(random, 0.7) ? 'MXN' : pick(random, ['USD', 'EUR'] as const));
  const exchangeRate = exchangeRateOf(random, currency);
  const borderRegion = chance(random, 0.2);
  const withTaxes = options.withTaxes ?? true;
  const choices = {
    withDiscounts: options.withDiscounts ?? chance(random, 0.4),
    withTaxes,
    withWithholdings: withTaxes && (options.withWithholdings ?? chance(random, 0.3)),
    borderRegion,
    pricePerPeso: exchangeRate === undefined ? new Decimal(1) : new Decimal(1).dividedBy(exchangeRate),
    taxDecimals: pick(random, [2, 6] as const),
  };
  const concepts = options.concepts ?? integerBetween(random, 1, 6);
  if (!Number.isInteger(concepts) || concepts < 1)
    throw new RangeError('concepts must be a whole number from 1');
  const lines = Array.from({ length: concepts }, () => conceptLine(random, choices));
  const totals = totalsOf(lines);
  const issuedAt = fechaOf(random, options.now ?? new Date(), credentials);
  const onCredit = chance(random, 0.25);

  const comprobante = cfdiElement('Comprobante', {
    Version: '4.0',
    Serie: pick(random, ['A', 'F', 'FAC', 'MTY-2026']),
    Folio: String(integerBetween(random, 1, 9_999_999)),
    Fecha: wallClockText(issuedAt),
    Sello: '',
    FormaPago: onCredit ? '99' : pick(random, immediatePaymentForms),
    NoCertificado: '',
    Certificado: '',
    CondicionesDePago: onCredit ? pick(random, ['Crédito a 30 días', 'Neto 60 días']) : undefined,
    SubTotal: money(totals.subTotal),
    Descuento: totals.discount === undefined ? undefined : money(totals.discount),
    Moneda: currency,
    TipoCambio:
      exchangeRate === undefined ? (chance(random, 0.3) ? '1' : undefined) : exchangeRate.toFixed(4),
    Total: money(totals.total),
    TipoDeComprobante: 'I',
    Exportacion: '01',
    MetodoPago: onCredit ? 'PPD' : 'PUE',
    LugarExpedicion: pick(random, borderRegion ? borderPostalCodes : inlandPostalCodes),
  });
  comprobante.children.push(
    cfdiElement('Emisor', { Rfc: issuer.rfc, Nombre: issuer.name, RegimenFiscal: issuer.regime }),
    cfdiElement('Receptor', {
      Rfc: receiver.rfc,
      Nombre: receiver.name,
      DomicilioFiscalReceptor: receiver.postalCode,
      RegimenFiscalReceptor: receiver.regime,
      UsoCFDI: receiver.use ?? pick(random, usesFor(receiver.regime)),
    }),
    cfdiElement('Conceptos', {}, lines.map(conceptElement)),
  );
  const impuestos = impuestosElement(totals);
  if (impuestos) comprobante.children.push(impuestos);
  assignPaths(comprobante);
  // Generated documents carry no complement, so their cadena original can always be built.
  if (!sealComprobante(comprobante, credentials)) throw new Error('the cadena original could not be built');
  const uuid = options.stamp ? addFakeStamp(comprobante, random, issuedAt, options.stamp) : null;

  return {
    xml: serializeDocument(comprobante),
    metadata: {
      uuid: uuid?.toLowerCase() ?? null,
      issuer: issuer.rfc,
      receiver: receiver.rfc,
      total: money(totals.total),
      currency,
      issuedAt: wallClockText(issuedAt),
    },
    comprobante,
    signing: options.stamp ? { credentials, stamp: options.stamp } : { credentials },
  };
}

/** A TimbreFiscalDigital 1.1 made seconds to minutes after Fecha and signed by `stamp`; its UUID. */
function addFakeStamp(
  comprobante: TreeElement,
  random: Random,
  issuedAt: Date,
  stamp: StampCredentials,
): string {
  const uuid = uuidOf(random);
  const stampedAt = new Date(issuedAt.getTime() + integerBetween(random, 5, 600) * 1000);
  comprobante.children.push(
    cfdiElement('Complemento', {}, [
      element(Namespaces.timbreFiscalDigital, 'TimbreFiscalDigital', {
        Version: '1.1',
        UUID: uuid,
        FechaTimbrado: wallClockText(stampedAt),
        RfcProvCertif: providerRfcOf(stamp),
        SelloCFD: '',
        NoCertificadoSAT: '',
        SelloSAT: '',
      }),
    ]),
  );
  assignPaths(comprobante);
  signStamp(comprobante, stamp);
  return uuid;
}

function issuerOf(credentials: SigningCredentials): Party {
  const { rfc } = certificateTextOf(credentials.certificate);
  if (rfc === undefined) throw new Error('the certificate names no RFC: pass the issuer');
  return {
    rfc,
    name: holderNameOf(credentials.certificate.subject),
    regime: rfc.length === 12 ? '601' : '612',
  };
}

// CFDI 4.0 wants the name without the company type ("ESCUELA KEMPER URGATE", not "... SA DE CV").
const companyType =
  /\s+(S\.?\s?A\.?(\s+DE\s+C\.?\s?V\.?)?|S\.?\s?C\.?|A\.?\s?C\.?|S\.?\s+DE\s+R\.?\s?L\.?(\s+DE\s+C\.?\s?V\.?)?)$/i;
const commonName = /^CN=(.*)$/m;

function holderNameOf(subject: string): string {
  const name = commonName.exec(subject)?.[1]?.replace(/\\(.)/g, '$1').trim() ?? '';
  return name.replace(companyType, '') || name;
}

function receiverOf(random: Random): ReceiverParty {
  return pick(random, receivers);
}

function exchangeRateOf(random: Random, currency: GeneratedCurrency): Decimal | undefined {
  if (currency === 'MXN') return undefined;
  const [lowest, highest] = exchangeRates[currency];
  return new Decimal(lowest + random() * (highest - lowest)).toDecimalPlaces(4, Decimal.ROUND_HALF_UP);
}

/**
 * An instant within the 5 days before `now` that the certificate was valid at, at least 10 minutes
 * back so a stamp fits between it and `now`.
 */
function fechaOf(random: Random, now: Date, credentials: SigningCredentials): Date {
  const validFrom = Date.parse(credentials.certificate.validFrom);
  const validTo = Date.parse(credentials.certificate.validTo);
  const latest = Math.min(now.getTime(), validTo) - 10 * minute;
  const earliest = Math.max(latest - 5 * day, validFrom + hour);
  if (latest < earliest) throw new Error('the certificate is not valid before `now`: no Fecha can be sealed');
  return new Date(earliest + Math.floor((random() * (latest - earliest)) / 1000) * 1000);
}

/** t_FechaH in Mexico City time: 2026-10-31T17:04:05. */
function wallClockText(instant: Date): string {
  return new Date(instant.getTime() + mexicoCityOffset).toISOString().slice(0, 19);
}

function uuidOf(random: Random): string {
  const hex = Array.from({ length: 32 }, () =>
    Math.floor(random() * 16)
      .toString(16)
      .toUpperCase(),
  );
  hex[12] = '4';
  hex[16] = ['8', '9', 'A', 'B'][Math.floor(random() * 4)]!;
  const text = hex.join('');
  return `${text.slice(0, 8)}-${text.slice(8, 12)}-${text.slice(12, 16)}-${text.slice(16, 20)}-${text.slice(20)}`;
}
