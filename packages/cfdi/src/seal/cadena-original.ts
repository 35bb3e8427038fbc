import { Namespaces } from '../namespaces.js';
import { type CfdiProblem, CfdiProblemCodes, cfdiProblem, shortened } from '../problems.js';
import type { XmlElement } from '../xml-document.js';
import { CompiledTemplates, cadenaOf, NoTemplate, templateSet } from './cadena-rules.js';
import { complementTemplates, unimplementedComplements } from './complements/index.js';
import { comprobante40 } from './comprobante-40.js';
import { SealProblemCodes, sealProblem } from './seal-codes.js';
import { timbreFiscalDigital11 } from './timbre-fiscal-digital-11.js';

// SAT's XSLT has no template for the stamp, so XSLT's built-in rule writes only its text, and a
// TimbreFiscalDigital has none: it adds nothing, as it must, since the PAC adds it after sealing.
const stampWritesNothing = templateSet(Namespaces.timbreFiscalDigital, 'built-in rule', {
  TimbreFiscalDigital: [],
});

const comprobanteTemplates = new CompiledTemplates([
  comprobante40,
  ...complementTemplates,
  stampWritesNothing,
]);
const stampTemplates = new CompiledTemplates([timbreFiscalDigital11]);

export type CadenaResult = { ok: true; cadena: string } | { ok: false; problem: CfdiProblem };

/** The cadena original of a CFDI 4.0 Comprobante, as cadenaoriginal_4_0.xslt makes it ("||...||"). */
export function buildCadenaOriginal(comprobante: XmlElement): CadenaResult {
  if (comprobante.namespace !== Namespaces.cfdi40 || comprobante.localName !== 'Comprobante')
    return {
      ok: false,
      problem: cfdiProblem(
        CfdiProblemCodes.unsupportedDocument,
        comprobante.path,
        'the cadena original is defined for a CFDI 4.0 cfdi:Comprobante only',
      ),
    };
  const fields: string[] = [];
  try {
    comprobanteTemplates.emit(comprobante, fields);
  } catch (error) {
    if (error instanceof NoTemplate) return { ok: false, problem: unsupported(error.element) };
    throw error;
  }
  return { ok: true, cadena: cadenaOf(fields) };
}

/** The cadena original of a TimbreFiscalDigital 1.1 (cadenaoriginal_TFD_1_1.xslt). */
export function buildStampCadena(stamp: XmlElement): string {
  const fields: string[] = [];
  // The XSLT's root template selects /tfd:TimbreFiscalDigital: any other element writes no field.
  if (stampTemplates.has(stamp.namespace, stamp.localName)) stampTemplates.emit(stamp, fields);
  return cadenaOf(fields);
}

// An element without a template would go through XSLT's built-in rule, which writes its text; the
// element tree keeps no text, so the cadena cannot be known. Guessing it would make a verdict on the
// Sello worthless, so it is refused.
function unsupported(element: XmlElement): CfdiProblem {
  const name = `{${element.namespace ?? ''}}${element.localName}`;
  const reason = element.namespace === null ? undefined : unimplementedComplements.get(element.namespace);
  const why =
    reason === undefined
      ? `SAT's cadenaoriginal_4_0.xslt has no template for ${name}`
      : `the complement ${name} is not supported (${reason})`;
  return sealProblem(
    SealProblemCodes.cadenaUnsupportedComplement,
    shortened(element.path, 200),
    `${shortened(why, 300)}: the cadena original cannot be built, so the Sello cannot be verified`,
  );
}
