import { describe, expect, it } from 'vitest';
import { checkComprobanteStructure } from '../comprobante-structure.js';
import { defaultReadingLimits, parseDocument } from '../parse-document.js';
import { fixtureText, replaceOnce } from '../testing/fixtures.js';
import type { XmlElement } from '../xml-document.js';
import { complementSupportOf, listComplements } from './complements.js';

function rootOf(document: string): XmlElement {
  const parsed = parseDocument(document, defaultReadingLimits);
  if (!parsed.ok) throw new Error(parsed.problem.message);
  return parsed.root;
}

describe('complements', () => {
  it('lists what is under Complemento, ComplementoConcepto and Addenda, with how far each is read', () => {
    let document = replaceOnce(
      fixtureText('cfdiutils-cfdi40-valid.xml'),
      '</cfdi:Complemento>',
      '<cce20:ComercioExterior xmlns:cce20="http://www.sat.gob.mx/ComercioExterior20" Version="2.0"/><x:Own xmlns:x="urn:example:own"/></cfdi:Complemento><cfdi:Addenda><erp:Order xmlns:erp="urn:example:erp"/></cfdi:Addenda>',
    );
    document = replaceOnce(
      document,
      '</cfdi:Concepto>',
      '<cfdi:ComplementoConcepto><iedu:instEducativas xmlns:iedu="http://www.sat.gob.mx/iedu" version="1.0"/></cfdi:ComplementoConcepto></cfdi:Concepto>',
    );
    const root = rootOf(document);
    expect(checkComprobanteStructure(root)).toEqual([]);
    expect(
      listComplements(root).map(({ container, localName, support, title }) => [
        container,
        localName,
        support,
        title,
      ]),
    ).toEqual([
      ['ComplementoConcepto', 'instEducativas', 'known', 'Instituciones educativas privadas 1.0'],
      ['Complemento', 'TimbreFiscalDigital', 'understood', 'Timbre Fiscal Digital 1.1'],
      ['Complemento', 'ComercioExterior', 'known', 'Comercio Exterior 2.0'],
      ['Complemento', 'Own', 'unknown', null],
      ['Addenda', 'Order', 'unknown', null],
    ]);
  });

  it.each([
    ['http://www.sat.gob.mx/Pagos20', 'understood'],
    ['http://www.sat.gob.mx/implocal', 'understood'],
    ['http://www.sat.gob.mx/TimbreFiscalDigital', 'understood'],
    ['http://www.sat.gob.mx/nomina12', 'known'],
    ['http://www.sat.gob.mx/CartaPorte31', 'known'],
    ['http://www.sat.gob.mx/Pagos', 'unknown'], // Pagos 1.0 belongs to CFDI 3.3
    [null, 'unknown'],
  ])('reads %s as %s', (namespace, support) => {
    expect(complementSupportOf(namespace)).toBe(support);
  });

  it('requires the local-taxes totals the arithmetic reads, and nothing else of that complement', () => {
    const localTaxes = (attributes: string) =>
      replaceOnce(
        fixtureText('cfdiutils-cfdi40-valid.xml'),
        '</cfdi:Complemento>',
        `<implocal:ImpuestosLocales xmlns:implocal="http://www.sat.gob.mx/implocal" version="1.0" ${attributes}><implocal:TrasladosLocales ImpLocTrasladado="ISH" TasadeTraslado="3.00" Importe="1.00"/></implocal:ImpuestosLocales></cfdi:Complemento>`,
      );
    expect(
      checkComprobanteStructure(rootOf(localTaxes('TotaldeRetenciones="0" TotaldeTraslados="1.00"'))),
    ).toEqual([]);
    expect(
      checkComprobanteStructure(rootOf(localTaxes('TotaldeTraslados="1,00"'))).map((problem) => problem.code),
    ).toEqual(['attribute_required', 'attribute_invalid']);
  });
});
