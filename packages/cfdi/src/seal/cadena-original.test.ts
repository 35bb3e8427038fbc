import { describe, expect, it } from 'vitest';
import { CfdiProblemCodes } from '../problems.js';
import { buildCadenaOriginal, buildStampCadena } from './cadena-original.js';
import type { Instruction, TemplateSet } from './cadena-rules.js';
import { complementTemplates } from './complements/index.js';
import { comprobante40 } from './comprobante-40.js';
import { SealProblemCodes } from './seal-codes.js';
import { parsedRoot } from './testing/credentials.js';
import { satStylesheetText } from './testing/sat-xslt.js';
import { timbreFiscalDigital11 } from './timbre-fiscal-digital-11.js';

const cfdi = 'http://www.sat.gob.mx/cfd/4';

function comprobante(attributes: string, children = ''): string {
  return `<cfdi:Comprobante xmlns:cfdi="${cfdi}" ${attributes}>${children}</cfdi:Comprobante>`;
}

function cadenaOf(document: string): string {
  const result = buildCadenaOriginal(parsedRoot(document));
  if (!result.ok) throw new Error(result.problem.message);
  return result.cadena;
}

// Version, then the Comprobante's eight other Requerido attributes, absent: Fecha, NoCertificado,
// SubTotal, Moneda, Total, TipoDeComprobante, Exportacion, LugarExpedicion.
const absentRequired = '|'.repeat(8);

describe('buildCadenaOriginal', () => {
  it("writes attributes in the XSLT's order, not the document's", () => {
    const inOrder = comprobante('Version="4.0" Serie="A" Folio="7" Fecha="2025-01-01T00:00:00"');
    const reversed = comprobante('Fecha="2025-01-01T00:00:00" Folio="7" Serie="A" Version="4.0"');
    expect(cadenaOf(reversed)).toBe(cadenaOf(inOrder));
    expect(cadenaOf(inOrder).startsWith('||4.0|A|7|2025-01-01T00:00:00|')).toBe(true);
  });

  it('writes "|" for a missing required attribute and nothing for a missing optional one', () => {
    expect(cadenaOf(comprobante('Version="4.0"'))).toBe(`||4.0${absentRequired}||`);
  });

  it('writes "|" for an optional attribute that is present but empty', () => {
    expect(cadenaOf(comprobante('Version="4.0" Serie=""'))).toBe(`||4.0|${absentRequired}||`);
  });

  it('collapses XML whitespace as normalize-space does, and keeps a no-break space', () => {
    const document = comprobante('Version="4.0" Serie="  A&#9;&#10; B  C " Folio="&#160;7&#160;"');
    expect(cadenaOf(document).startsWith('||4.0|A B C|\u00a07\u00a0|')).toBe(true);
  });

  it('leaves out the stamp, which has its own cadena, and the Addenda', () => {
    const bare = comprobante('Version="4.0"', '<cfdi:Complemento/>');
    const stamped = comprobante(
      'Version="4.0"',
      '<cfdi:Complemento><tfd:TimbreFiscalDigital xmlns:tfd="http://www.sat.gob.mx/TimbreFiscalDigital" Version="1.1" UUID="x"/></cfdi:Complemento><cfdi:Addenda><cfdi:Emisor Rfc="X"/></cfdi:Addenda>',
    );
    expect(cadenaOf(stamped)).toBe(cadenaOf(bare));
  });

  it.each([
    ['a complement this builder does not implement', 'http://www.sat.gob.mx/detallista', 'not supported'],
    ['an element SAT has no template for', 'urn:example:other', 'has no template'],
  ])('refuses %s rather than guess its cadena', (_what, namespace, says) => {
    const document = comprobante(
      'Version="4.0"',
      `<cfdi:Complemento><x:Extra xmlns:x="${namespace}" A="1"/></cfdi:Complemento>`,
    );
    expect(buildCadenaOriginal(parsedRoot(document))).toEqual({
      ok: false,
      problem: {
        code: SealProblemCodes.cadenaUnsupportedComplement,
        path: '/cfdi:Comprobante/cfdi:Complemento/x:Extra',
        message: expect.stringContaining(says),
      },
    });
  });

  it('refuses an element that is not a CFDI 4.0 Comprobante', () => {
    const result = buildCadenaOriginal(
      parsedRoot('<cfdi:Comprobante xmlns:cfdi="http://www.sat.gob.mx/cfd/3"/>'),
    );
    expect(result).toMatchObject({ ok: false, problem: { code: CfdiProblemCodes.unsupportedDocument } });
  });
});

describe('buildStampCadena', () => {
  it('writes the TimbreFiscalDigital 1.1 fields in order, Leyenda only when present', () => {
    const stamp = parsedRoot(
      '<tfd:TimbreFiscalDigital xmlns:tfd="http://www.sat.gob.mx/TimbreFiscalDigital" NoCertificadoSAT="N" SelloCFD="S" RfcProvCertif="R" FechaTimbrado="F" UUID="U" Version="1.1" SelloSAT="ignored"/>',
    );
    expect(buildStampCadena(stamp)).toBe('||1.1|U|F|R|S|N||');
  });
});

describe('the rules', () => {
  const sets: TemplateSet[] = [comprobante40, timbreFiscalDigital11, ...complementTemplates];

  it.each(sets.map((set) => ({ source: set.source, set })))(
    'transcribe every template and field of $source',
    ({ set }) => {
      const xslt = satStylesheetText(set.source);
      const calls = xslt.match(/<xsl:call-template name="(Requerido|Opcional)"/g) ?? [];
      const templates = (xslt.match(/<xsl:template match="/g) ?? []).length;
      const rootTemplates = (xslt.match(/<xsl:template match="\/"/g) ?? []).length;
      expect(Object.keys(set.templates)).toHaveLength(templates - rootTemplates);
      expect(Object.values(set.templates).reduce((count, body) => count + fieldCount(body), 0)).toBe(
        calls.length,
      );
    },
  );
});

function fieldCount(body: readonly Instruction[]): number {
  return body.reduce(
    (count, instruction) =>
      count +
      (instruction.kind === 'attributes'
        ? instruction.fields.length
        : 'body' in instruction
          ? fieldCount(instruction.body)
          : 0),
    0,
  );
}
