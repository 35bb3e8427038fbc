import { Buffer } from 'node:buffer';
import { type CfdiProblem, CfdiProblemCodes, cfdiProblem } from './problems.js';

export type DocumentText = { ok: true; text: string } | { ok: false; problem: CfdiProblem };

// `fatal` makes invalid UTF-8 an error instead of U+FFFD; the decoder drops a leading UTF-8 BOM.
const utf8 = new TextDecoder('utf-8', { fatal: true });
const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const xmlDeclaration = /^<\?xml\s[^>]*?\?>/;
const declaredEncoding = /\sencoding\s*=\s*(["'])(.*?)\1/;

/**
 * The document as text, if it is within the size limit and UTF-8 (SAT requires UTF-8; the seal is
 * computed over it). A string is measured by its UTF-8 length, as it would be stored.
 */
export function readDocumentText(document: Uint8Array | string, maxBytes: number): DocumentText {
  const decoded =
    typeof document === 'string' ? fromString(document, maxBytes) : fromBytes(document, maxBytes);
  if (!decoded.ok) return decoded;
  const { text } = decoded;
  if (text.includes('\u0000'))
    return unsupported('the document contains NUL characters; it looks like UTF-16 or binary, not UTF-8');
  const encoding = declaredEncoding.exec(xmlDeclaration.exec(text)?.[0] ?? '')?.[2];
  if (encoding !== undefined && encoding.toUpperCase() !== 'UTF-8')
    return unsupported(`the XML declaration says encoding="${encoding}"; only UTF-8 is accepted`);
  return decoded;
}

function fromBytes(bytes: Uint8Array, maxBytes: number): DocumentText {
  if (bytes.byteLength > maxBytes) return tooLarge(bytes.byteLength, maxBytes);
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff))
    return unsupported('the document starts with a UTF-16 byte order mark; only UTF-8 is accepted');
  try {
    return { ok: true, text: utf8.decode(bytes) };
  } catch {
    return unsupported('the document is not valid UTF-8');
  }
}

function fromString(text: string, maxBytes: number): DocumentText {
  // Every UTF-16 code unit takes at least one UTF-8 byte, so a long string fails without measuring.
  if (text.length > maxBytes) return tooLarge(text.length, maxBytes, 'at least ');
  const size = Buffer.byteLength(text, 'utf8');
  if (size > maxBytes) return tooLarge(size, maxBytes);
  if (loneSurrogate.test(text))
    return unsupported('the document contains unpaired UTF-16 surrogates, which UTF-8 cannot encode');
  return { ok: true, text: text.startsWith('\uFEFF') ? text.slice(1) : text };
}

function tooLarge(size: number, maxBytes: number, qualifier = ''): DocumentText {
  const message = `the document is ${qualifier}${size} bytes; the limit is ${maxBytes}`;
  return { ok: false, problem: cfdiProblem(CfdiProblemCodes.documentTooLarge, '/', message) };
}

function unsupported(message: string): DocumentText {
  return { ok: false, problem: cfdiProblem(CfdiProblemCodes.unsupportedEncoding, '/', message) };
}
