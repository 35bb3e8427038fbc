import { type KeyObject, sign, verify } from 'node:crypto';

/**
 * Whether `signatureBase64` is an RSA PKCS#1 v1.5 signature over the UTF-8 bytes of `text` with
 * SHA-256, the only algorithm Anexo 20 allows for the CFDI 4.0 Sello and the TimbreFiscalDigital 1.1
 * SelloSAT. (SAT signed some Retenciones stamps with SHA-1; those documents never reach this module.)
 * A key of any other type, or a signature that is not even well formed, simply does not verify.
 */
export function verifiesRsaSha256(text: string, signatureBase64: string, publicKey: KeyObject): boolean {
  if (publicKey.asymmetricKeyType !== 'rsa') return false;
  try {
    return verify('sha256', Buffer.from(text, 'utf8'), publicKey, Buffer.from(signatureBase64, 'base64'));
  } catch {
    return false;
  }
}

/** For generators: the Sello of a cadena, RSA-SHA256 with the issuer's private key, in base64. */
export function sealCadena(cadena: string, privateKey: KeyObject): string {
  return sign('sha256', Buffer.from(cadena, 'utf8'), privateKey).toString('base64');
}
