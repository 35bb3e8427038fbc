import type { CfdiProblem } from '../problems.js';

/**
 * Codes for the seal and the stamp. SAT's code is used where its rule is exactly the one checked
 * (matriz de errores CFDI 4.0): CFDI40102 for a Sello that does not verify over the cadena original,
 * CFDI40106 for a Certificado that is not a readable certificate. SAT's stamping service answers the
 * certificate mismatches with its own numbers (303 RFC, 305 validity), which are not CFDI codes, so
 * those are snake_case here.
 */
export const SealProblemCodes = {
  sealInvalid: 'CFDI40102',
  certificateUnreadable: 'CFDI40106',
  certificateNumberMismatch: 'certificate_number_mismatch',
  certificateRfcMismatch: 'certificate_rfc_mismatch',
  certificateNotValidAtFecha: 'certificate_not_valid_at_fecha',
  /** The cadena original cannot be built, so the Sello cannot be verified either way. */
  cadenaUnsupportedComplement: 'cadena_unsupported_complement',
  stampSelloCfdMismatch: 'stamp_sello_cfd_mismatch',
  stampSealInvalid: 'stamp_seal_invalid',
  /** The PAC certificate named by NoCertificadoSAT is not in the store: the stamp is neither good nor bad. */
  stampUnverifiable: 'stamp_unverifiable',
  stampCertificateNotValidAtFechaTimbrado: 'stamp_certificate_not_valid_at_fecha_timbrado',
  stampDateInconsistent: 'stamp_date_inconsistent',
} as const;

export type SealProblemCode = (typeof SealProblemCodes)[keyof typeof SealProblemCodes];

export function sealProblem(code: SealProblemCode, path: string, message: string): CfdiProblem {
  return { code, path, message };
}
