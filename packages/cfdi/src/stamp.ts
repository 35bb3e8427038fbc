import { AttributeFormats } from './attribute-formats.js';
import { Namespaces } from './namespaces.js';
import type { ProblemSink } from './problem-list.js';
import { type CfdiProblem, CfdiProblemCodes, cfdiProblem, quoted } from './problems.js';
import { timbreFiscalDigital11 } from './structure/timbre-fiscal-digital11.js';
import { checkElement } from './structure-rules.js';
import { attributePath, childElements, type XmlElement } from './xml-document.js';

const tfd = Namespaces.timbreFiscalDigital;

/** Where the stamp is expected, in the prefixes of every problem path. */
export const stampPath = '/cfdi:Comprobante/cfdi:Complemento/tfd:TimbreFiscalDigital';

// Version is checked apart from the rest of TimbreFiscalDigitalv11.xsd: it decides whether the
// document is stamped.
const versionCheckedHere = { attributesCheckedElsewhere: ['Version'] };

/** The TimbreFiscalDigital under the Comprobante's Complemento, whatever its version. */
export function findStamp(comprobante: XmlElement): XmlElement | undefined {
  const [complemento] = childElements(comprobante, Namespaces.cfdi40, 'Complemento');
  return complemento ? childElements(complemento, tfd, 'TimbreFiscalDigital')[0] : undefined;
}

/**
 * A CFDI 4.0 is certified by a TimbreFiscalDigital 1.1. Only its presence and form are checked here;
 * that SelloCFD and SelloSAT verify is the next layer's work. Problems go to `problems` when given
 * (as in checkComprobanteStructure), else to a new array.
 */
export function checkStamp(comprobante: XmlElement, requireStamp: boolean): CfdiProblem[];
export function checkStamp<Sink extends ProblemSink>(
  comprobante: XmlElement,
  requireStamp: boolean,
  problems: Sink,
): Sink;
export function checkStamp(
  comprobante: XmlElement,
  requireStamp: boolean,
  problems: ProblemSink = [],
): ProblemSink {
  const [complemento] = childElements(comprobante, Namespaces.cfdi40, 'Complemento');
  const [stamp, ...extra] = complemento ? childElements(complemento, tfd, 'TimbreFiscalDigital') : [];
  if (!stamp) {
    if (requireStamp)
      problems.push(
        cfdiProblem(CfdiProblemCodes.notStamped, stampPath, 'the document has no TimbreFiscalDigital 1.1'),
      );
    return problems;
  }
  for (const element of extra)
    problems.push(
      cfdiProblem(CfdiProblemCodes.elementRepeated, element.path, 'only one TimbreFiscalDigital is allowed'),
    );
  const version = stamp.attributes.get('Version');
  if (version === undefined || !AttributeFormats.version11.matches(version)) {
    const found = version === undefined ? 'has no Version' : `has Version ${quoted(version)}`;
    problems.push(
      requireStamp
        ? cfdiProblem(
            CfdiProblemCodes.notStamped,
            attributePath(stamp, 'Version'),
            `the TimbreFiscalDigital ${found}; 1.1 is required`,
          )
        : cfdiProblem(
            version === undefined ? CfdiProblemCodes.attributeRequired : CfdiProblemCodes.attributeInvalid,
            attributePath(stamp, 'Version'),
            `Version must be ${AttributeFormats.version11.description}`,
          ),
    );
  }
  checkElement(stamp, timbreFiscalDigital11, problems, versionCheckedHere);
  return problems;
}
