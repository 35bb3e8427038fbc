import { describe, expect, it } from 'vitest';
import { checkComprobanteStructure } from '../comprobante-structure.js';
import { defaultReadingLimits, parseDocument } from '../parse-document.js';
import { checkStamp } from '../stamp.js';
import { fixtureBytes, fixtureText, replaceOnce } from '../testing/fixtures.js';

const valid = fixtureText('cfdiutils-cfdi40-valid.xml');
const comprobante = '/cfdi:Comprobante';
const concepto = `${comprobante}/cfdi:Conceptos/cfdi:Concepto`;
const conceptTaxes = `${concepto}/cfdi:Impuestos`;
const totals = `${comprobante}/cfdi:Impuestos`;
const conceptTraslados = `<cfdi:Traslados>
          <cfdi:Traslado Base="2868.11" Impuesto="002" TipoFactor="Tasa" TasaOCuota="0.160000" Importe="458.90"/>
        </cfdi:Traslados>`;
const totalTraslados = `<cfdi:Traslados>
      <cfdi:Traslado Impuesto="002" TipoFactor="Tasa" TasaOCuota="0.160000" Importe="458.90" Base="2868.11"/>
    </cfdi:Traslados>`;
const pedimento = '<cfdi:InformacionAduanera NumeroPedimento="17  24  3420  7010987"/>';
const terceros =
  '<cfdi:ACuentaTerceros RfcACuentaTerceros="CACX7605101P8" NombreACuentaTerceros="XOCHILT CASAS CHAVEZ" RegimenFiscalACuentaTerceros="612" DomicilioFiscalACuentaTerceros="36257"/>';
const emisor = '<cfdi:Emisor Rfc="EKU9003173C9" Nombre="ESCUELA KEMPER URGATE" RegimenFiscal="601"/>';
const uuid = '6F35D3B5-3651-5370-BC2C-14CDBE384CD7';

/** Structure and stamp-form problems only, as `code path`: what this layer adds to a verdict. */
function structureProblems(document: Uint8Array | string): string[] {
  const parsed = parseDocument(document, defaultReadingLimits);
  if (!parsed.ok) throw new Error(parsed.problem.message);
  return [...checkComprobanteStructure(parsed.root), ...checkStamp(parsed.root, false)].map(
    (problem) => `${problem.code} ${problem.path}`,
  );
}

type Change = [search: string, replacement: string];

function after(...changes: Change[]): string[] {
  return structureProblems(
    changes.reduce((text, [search, replacement]) => replaceOnce(text, search, replacement), valid),
  );
}

const beforeEmisor = (markup: string): Change => ['<cfdi:Emisor ', `${markup}<cfdi:Emisor `];
const inConcepto = (markup: string): Change => ['</cfdi:Concepto>', `${markup}</cfdi:Concepto>`];
const inComprobante = (markup: string): Change => ['</cfdi:Comprobante>', `${markup}</cfdi:Comprobante>`];
const onComprobante = (attributes: string): Change => [' Version="4.0"', ` Version="4.0" ${attributes}`];
const onConcepto = (attributes: string): Change => ['ObjetoImp="02"', `ObjetoImp="02" ${attributes}`];
const onReceptor = (attributes: string): Change => ['UsoCFDI="G03"', `UsoCFDI="G03" ${attributes}`];

describe('the cfdv40.xsd structure', () => {
  it.each([
    'cfdiutils-cfdi40-real.xml',
    'cfdiutils-cfdi40-valid.xml',
    'swsdkphp-file_pdf.xml',
    'cfdiutils-created-with-discounts-40.xml',
    'cfdiutils-created-cfdi40-pago20-valid.xml',
    'swsdkphp-cfdi40.xml', // XSD-valid; its defect is the seal
    'satcfdi-cfdv40-ejemplo-signed-tfd.xml', // XSD-valid; its defects are rules and arithmetic
  ])('finds nothing wrong with the XSD-valid %s', (file) => {
    expect(structureProblems(fixtureBytes(file))).toEqual([]);
  });

  // What xmllint reports against cfdv40.xsd (catalog enumerations stubbed), SOURCES.md's XSD defects.
  it.each([
    [
      'ntlink-cfdi-con-sello.xml',
      [
        `attribute_required ${comprobante}/@Exportacion`,
        `attribute_required ${comprobante}/cfdi:Receptor/@DomicilioFiscalReceptor`,
        `attribute_required ${comprobante}/cfdi:Receptor/@RegimenFiscalReceptor`,
        `attribute_required ${concepto}[1]/@ObjetoImp`,
        `attribute_required ${concepto}[2]/@ObjetoImp`,
        `attribute_required ${concepto}[3]/@ObjetoImp`,
        `attribute_required ${totals}/cfdi:Traslados/cfdi:Traslado/@Base`,
      ],
    ],
    [
      'cfdiutils-pagos20-calculator-002.xml',
      [`attribute_required ${comprobante}/@Sello`, `attribute_required ${comprobante}/@Certificado`],
    ],
    [
      'ntlink-CFDI40120.xml',
      [
        `CFDI40101 ${comprobante}/@Fecha`,
        `attribute_required ${comprobante}/@Sello`,
        `attribute_required ${comprobante}/@NoCertificado`,
        `attribute_required ${comprobante}/@Certificado`,
        `attribute_invalid ${comprobante}/@SubTotal`,
        `attribute_invalid ${comprobante}/@Total`,
        `attribute_invalid ${concepto}/@ValorUnitario`,
        `attribute_invalid ${concepto}/@Importe`,
      ],
    ],
    [
      'ntlink-CFDI40101.xml',
      [
        `CFDI40101 ${comprobante}/@Fecha`,
        `attribute_required ${comprobante}/@Sello`,
        `attribute_required ${comprobante}/@NoCertificado`,
        `attribute_required ${comprobante}/@Certificado`,
      ],
    ],
  ])('reports the XSD defects of %s and nothing else', (file, expected) => {
    expect(structureProblems(fixtureBytes(file))).toEqual(expected);
  });

  // Values xmllint accepts; some are written oddly on purpose.
  it.each<[string, Change[]]>([
    [
      'every optional Comprobante attribute',
      [
        onComprobante(
          `Serie="${'S'.repeat(25)}" Folio="F-1" CondicionesDePago="Contado" TipoCambio="1" Confirmacion="Ab3d5"`,
        ),
      ],
    ],
    [
      'a Nombre with surrounding and repeated spaces',
      [['Nombre="ESCUELA KEMPER URGATE"', 'Nombre="  ESCUELA   KEMPER URGATE "']],
    ],
    ['a Nombre of 300 characters', [['Nombre="ESCUELA KEMPER URGATE"', `Nombre="${'Ñ'.repeat(300)}"`]]],
    [
      'a Descripcion of 1000 astral characters',
      [['Descripcion="Portable tetris gamepad pro++ ⏻"', `Descripcion="${'😀'.repeat(1000)}"`]],
    ],
    ['FacAtrAdquirente', [['RegimenFiscal="601"', 'RegimenFiscal="601" FacAtrAdquirente="0123456789"']]],
    ['a foreign receiver', [onReceptor(`ResidenciaFiscal="USA" NumRegIdTrib="${'1'.repeat(40)}"`)]],
    [
      'InformacionGlobal',
      [beforeEmisor('<cfdi:InformacionGlobal Periodicidad="01" Meses="01" Año="2025"/>')],
    ],
    [
      'two CfdiRelacionados',
      [
        beforeEmisor(
          `<cfdi:CfdiRelacionados TipoRelacion="04"><cfdi:CfdiRelacionado UUID="${uuid}"/><cfdi:CfdiRelacionado UUID="${uuid.toLowerCase()}"/></cfdi:CfdiRelacionados><cfdi:CfdiRelacionados TipoRelacion="01"><cfdi:CfdiRelacionado UUID="${uuid}"/></cfdi:CfdiRelacionados>`,
        ),
      ],
    ],
    [
      'every child a Concepto may have, in order',
      [
        inConcepto(
          `${terceros}${pedimento}${pedimento}<cfdi:CuentaPredial Numero="ABC123"/><cfdi:ComplementoConcepto><iedu:instEducativas xmlns:iedu="http://www.sat.gob.mx/iedu" version="1.0"/></cfdi:ComplementoConcepto><cfdi:Parte ClaveProdServ="52161557" Cantidad="1" Descripcion="Cable"/><cfdi:Parte ClaveProdServ="52161557" Cantidad="0.5" Descripcion="Base" Unidad="PIEZA" NoIdentificacion="B1" ValorUnitario="1" Importe="0.5">${pedimento}</cfdi:Parte>`,
        ),
      ],
    ],
    [
      'concept withholdings after the transfers',
      [
        [
          '</cfdi:Traslados>\n      </cfdi:Impuestos>',
          '</cfdi:Traslados><cfdi:Retenciones><cfdi:Retencion Base="1" Impuesto="001" TipoFactor="Tasa" TasaOCuota="0.100000" Importe="0.10"/></cfdi:Retenciones>\n      </cfdi:Impuestos>',
        ],
      ],
    ],
    [
      'an exempt transfer with Base only',
      [
        [
          'Importe="458.90"/>\n        </cfdi:Traslados>',
          'Importe="458.90"/><cfdi:Traslado Base="1.000000" Impuesto="002" TipoFactor="Exento"/>\n        </cfdi:Traslados>',
        ],
      ],
    ],
    [
      'a total withholding before the transfers',
      [
        [
          '<cfdi:Impuestos TotalImpuestosTrasladados="458.90">',
          '<cfdi:Impuestos TotalImpuestosTrasladados="458.90"><cfdi:Retenciones><cfdi:Retencion Impuesto="001" Importe="0"/></cfdi:Retenciones>',
        ],
      ],
    ],
    [
      'an unknown complement and a known one',
      [
        [
          '</cfdi:Complemento>',
          '<x:Anything xmlns:x="urn:example"><x:Deep/></x:Anything><nomina12:Nomina xmlns:nomina12="http://www.sat.gob.mx/nomina12" Version="1.2"/></cfdi:Complemento>',
        ],
      ],
    ],
    [
      'an Addenda of any namespace',
      [
        inComprobante(
          '<cfdi:Addenda><erp:Pedido xmlns:erp="urn:erp" numero="1"><erp:Linea/></erp:Pedido></cfdi:Addenda>',
        ),
      ],
    ],
    ['a Leyenda in the stamp', [['Version="1.1"', 'Version="1.1" Leyenda="Leyenda de prueba: 100% válida"']]],
    [
      'TasaOCuota written as negative zero and Cantidad with a plus sign',
      [
        [
          'TasaOCuota="0.160000" Importe="458.90"/>\n        </cfdi:Traslados>',
          'TasaOCuota="-0.000000" Importe="458.90"/>\n        </cfdi:Traslados>',
        ],
        ['Cantidad="4"', 'Cantidad="+4.0000000"'],
      ],
    ],
  ])('accepts %s', (_case, changes) => {
    expect(after(...changes)).toEqual([]);
  });

  it.each<[string, Change[], string[]]>([
    // Attributes: formats, lengths and ranges that are not SAT catalogs.
    [
      'a Serie of 26 characters',
      [onComprobante(`Serie="${'S'.repeat(26)}"`)],
      [`attribute_invalid ${comprobante}/@Serie`],
    ],
    ['a Folio with "|"', [onComprobante('Folio="1|2"')], [`attribute_invalid ${comprobante}/@Folio`]],
    [
      'an empty optional CondicionesDePago',
      [onComprobante('CondicionesDePago=""')],
      [`attribute_invalid ${comprobante}/@CondicionesDePago`],
    ],
    [
      'a blank CondicionesDePago',
      [onComprobante('CondicionesDePago="   "')],
      [`attribute_invalid ${comprobante}/@CondicionesDePago`],
    ],
    [
      'a TipoCambio of 0',
      [onComprobante('TipoCambio="0.000000"')],
      [`attribute_invalid ${comprobante}/@TipoCambio`],
    ],
    [
      'a TipoCambio with 7 decimals',
      [onComprobante('TipoCambio="17.1234567"')],
      [`attribute_invalid ${comprobante}/@TipoCambio`],
    ],
    [
      'a Confirmacion of 4 characters',
      [onComprobante('Confirmacion="AB12"')],
      [`attribute_invalid ${comprobante}/@Confirmacion`],
    ],
    [
      'a LugarExpedicion of 4 digits',
      [['LugarExpedicion="86000"', 'LugarExpedicion="8600"']],
      [`attribute_invalid ${comprobante}/@LugarExpedicion`],
    ],
    [
      'a Total with 7 decimals',
      [['Total="3327.01"', 'Total="3327.0100001"']],
      [`attribute_invalid ${comprobante}/@Total`],
    ],
    [
      'a Descuento written with a comma',
      [['Total="3327.01" Descuento="956.04"', 'Total="3327.01" Descuento="956,04"']],
      [`attribute_invalid ${comprobante}/@Descuento`],
    ],
    [
      'an attribute cfdv40.xsd does not define',
      [onComprobante('Folio2="1"')],
      [`attribute_unexpected ${comprobante}/@Folio2`],
    ],
    [
      'an attribute in the wrong case',
      [onComprobante('serie="A"')],
      [`attribute_unexpected ${comprobante}/@serie`],
    ],
    [
      'an Emisor Nombre of 301 characters',
      [['Nombre="ESCUELA KEMPER URGATE"', `Nombre="${'A'.repeat(301)}"`]],
      [`attribute_invalid ${comprobante}/cfdi:Emisor/@Nombre`],
    ],
    [
      'a blank Emisor Nombre',
      [['Nombre="ESCUELA KEMPER URGATE"', 'Nombre="  "']],
      [`attribute_invalid ${comprobante}/cfdi:Emisor/@Nombre`],
    ],
    [
      'a FacAtrAdquirente of 9 digits',
      [['RegimenFiscal="601"', 'RegimenFiscal="601" FacAtrAdquirente="012345678"']],
      [`attribute_invalid ${comprobante}/cfdi:Emisor/@FacAtrAdquirente`],
    ],
    [
      'a NumRegIdTrib of 41 characters',
      [onReceptor(`NumRegIdTrib="${'1'.repeat(41)}"`)],
      [`attribute_invalid ${comprobante}/cfdi:Receptor/@NumRegIdTrib`],
    ],
    [
      'a Receptor attribute of CFDI 3.3',
      [onReceptor('UsoCFDI2="G03"')],
      [`attribute_unexpected ${comprobante}/cfdi:Receptor/@UsoCFDI2`],
    ],
    [
      'a NoIdentificacion of 101 characters',
      [['NoIdentificacion="GAMEPAD007"', `NoIdentificacion="${'N'.repeat(101)}"`]],
      [`attribute_invalid ${concepto}/@NoIdentificacion`],
    ],
    [
      'a Unidad of 21 characters',
      [['Unidad="PIEZA"', `Unidad="${'U'.repeat(21)}"`]],
      [`attribute_invalid ${concepto}/@Unidad`],
    ],
    [
      'a Descripcion with "|"',
      [['gamepad pro++', 'gamepad | pro++']],
      [`attribute_invalid ${concepto}/@Descripcion`],
    ],
    [
      'a Concepto Descuento below zero',
      [['Importe="3824.15" Descuento="956.04"', 'Importe="3824.15" Descuento="-956.04"']],
      [`attribute_invalid ${concepto}/@Descuento`],
    ],
    [
      'a Concepto attribute of the totals',
      [onConcepto('TotalImpuestosTrasladados="1"')],
      [`attribute_unexpected ${concepto}/@TotalImpuestosTrasladados`],
    ],
    [
      'a transfer Base of 0',
      [
        [
          'Base="2868.11" Impuesto="002" TipoFactor="Tasa" TasaOCuota="0.160000" Importe="458.90"/>\n        </cfdi:Traslados>',
          'Base="0" Impuesto="002" TipoFactor="Tasa" TasaOCuota="0.160000" Importe="458.90"/>\n        </cfdi:Traslados>',
        ],
      ],
      [`attribute_invalid ${conceptTaxes}/cfdi:Traslados/cfdi:Traslado/@Base`],
    ],
    [
      'a negative TasaOCuota',
      [
        [
          'TasaOCuota="0.160000" Importe="458.90"/>\n        </cfdi:Traslados>',
          'TasaOCuota="-0.16" Importe="458.90"/>\n        </cfdi:Traslados>',
        ],
      ],
      [`attribute_invalid ${conceptTaxes}/cfdi:Traslados/cfdi:Traslado/@TasaOCuota`],
    ],
    [
      'a concept withholding without TasaOCuota',
      [
        [
          '</cfdi:Traslados>\n      </cfdi:Impuestos>',
          '</cfdi:Traslados><cfdi:Retenciones><cfdi:Retencion Base="1" Impuesto="001" TipoFactor="Tasa" Importe="0.10"/></cfdi:Retenciones>\n      </cfdi:Impuestos>',
        ],
      ],
      [`attribute_required ${conceptTaxes}/cfdi:Retenciones/cfdi:Retencion/@TasaOCuota`],
    ],
    [
      'a total transfer without Base',
      [[' Importe="458.90" Base="2868.11"/>', ' Importe="458.90"/>']],
      [`attribute_required ${totals}/cfdi:Traslados/cfdi:Traslado/@Base`],
    ],
    [
      'a total withholding with a TipoFactor',
      [
        [
          '<cfdi:Impuestos TotalImpuestosTrasladados="458.90">',
          '<cfdi:Impuestos TotalImpuestosTrasladados="458.90"><cfdi:Retenciones><cfdi:Retencion Impuesto="001" TipoFactor="Tasa" Importe="0"/></cfdi:Retenciones>',
        ],
      ],
      [`attribute_unexpected ${totals}/cfdi:Retenciones/cfdi:Retencion/@TipoFactor`],
    ],
    [
      'an Año before 2019',
      [beforeEmisor('<cfdi:InformacionGlobal Periodicidad="01" Meses="01" Año="2018"/>')],
      [`attribute_invalid ${comprobante}/cfdi:InformacionGlobal/@Año`],
    ],
    [
      'an Año beyond xs:short',
      [beforeEmisor('<cfdi:InformacionGlobal Periodicidad="01" Meses="01" Año="40000"/>')],
      [`attribute_invalid ${comprobante}/cfdi:InformacionGlobal/@Año`],
    ],
    [
      'InformacionGlobal without Meses',
      [beforeEmisor('<cfdi:InformacionGlobal Periodicidad="01" Año="2025"/>')],
      [`attribute_required ${comprobante}/cfdi:InformacionGlobal/@Meses`],
    ],
    [
      'a related UUID without dashes',
      [
        beforeEmisor(
          `<cfdi:CfdiRelacionados TipoRelacion="04"><cfdi:CfdiRelacionado UUID="${uuid.replaceAll('-', '')}"/></cfdi:CfdiRelacionados>`,
        ),
      ],
      [`attribute_invalid ${comprobante}/cfdi:CfdiRelacionados/cfdi:CfdiRelacionado/@UUID`],
    ],
    [
      'a tercero with a 4-digit postal code',
      [inConcepto(terceros.replace('36257', '3625'))],
      [`attribute_invalid ${concepto}/cfdi:ACuentaTerceros/@DomicilioFiscalACuentaTerceros`],
    ],
    [
      'a pedimento with single spaces',
      [inConcepto('<cfdi:InformacionAduanera NumeroPedimento="17 24 3420 7010987"/>')],
      [`attribute_invalid ${concepto}/cfdi:InformacionAduanera/@NumeroPedimento`],
    ],
    [
      'a CuentaPredial with a dash',
      [inConcepto('<cfdi:CuentaPredial Numero="ABC-1"/>')],
      [`attribute_invalid ${concepto}/cfdi:CuentaPredial/@Numero`],
    ],
    [
      'a Parte without Descripcion',
      [inConcepto('<cfdi:Parte ClaveProdServ="52161557" Cantidad="1"/>')],
      [`attribute_required ${concepto}/cfdi:Parte/@Descripcion`],
    ],
    [
      'a stamp attribute TimbreFiscalDigitalv11.xsd does not define',
      [['Version="1.1"', 'Version="1.1" Leyenda2="x"']],
      [`attribute_unexpected ${comprobante}/cfdi:Complemento/tfd:TimbreFiscalDigital/@Leyenda2`],
    ],
    [
      'a Leyenda with a full stop',
      [['Version="1.1"', 'Version="1.1" Leyenda="Leyenda de prueba."']],
      [`attribute_invalid ${comprobante}/cfdi:Complemento/tfd:TimbreFiscalDigital/@Leyenda`],
    ],
    [
      'a stamp RFC of a person',
      [['RfcProvCertif="CVD110412TF6"', 'RfcProvCertif="CACX7605101P8"']],
      [`attribute_invalid ${comprobante}/cfdi:Complemento/tfd:TimbreFiscalDigital/@RfcProvCertif`],
    ],

    // Children: cardinality, the order the xs:sequence fixes, and what has no place.
    [
      'a missing Conceptos',
      [[/<cfdi:Conceptos>[\s\S]*<\/cfdi:Conceptos>/.exec(valid)![0], '']],
      [`element_required ${comprobante}/cfdi:Conceptos`],
    ],
    [
      'Receptor before Emisor',
      [
        [emisor, ''],
        ['UsoCFDI="G03"/>', `UsoCFDI="G03"/>${emisor}`],
      ],
      [`element_out_of_order ${comprobante}/cfdi:Emisor`],
    ],
    [
      'InformacionGlobal after Emisor',
      [
        [
          '<cfdi:Receptor ',
          '<cfdi:InformacionGlobal Periodicidad="01" Meses="01" Año="2025"/><cfdi:Receptor ',
        ],
      ],
      [`element_out_of_order ${comprobante}/cfdi:InformacionGlobal`],
    ],
    [
      'two InformacionGlobal',
      [
        beforeEmisor(
          '<cfdi:InformacionGlobal Periodicidad="01" Meses="01" Año="2025"/><cfdi:InformacionGlobal Periodicidad="01" Meses="02" Año="2025"/>',
        ),
      ],
      [`element_repeated ${comprobante}/cfdi:InformacionGlobal[2]`],
    ],
    [
      'an empty CfdiRelacionados',
      [beforeEmisor('<cfdi:CfdiRelacionados TipoRelacion="04"/>')],
      [`element_required ${comprobante}/cfdi:CfdiRelacionados/cfdi:CfdiRelacionado`],
    ],
    [
      'an empty Traslados',
      [[conceptTraslados, '<cfdi:Traslados/>']],
      [`element_required ${conceptTaxes}/cfdi:Traslados/cfdi:Traslado`],
    ],
    [
      'concept withholdings before the transfers',
      [
        [
          '<cfdi:Impuestos>\n        <cfdi:Traslados>',
          '<cfdi:Impuestos><cfdi:Retenciones><cfdi:Retencion Base="1" Impuesto="001" TipoFactor="Tasa" TasaOCuota="0.100000" Importe="0.10"/></cfdi:Retenciones>\n        <cfdi:Traslados>',
        ],
      ],
      [`element_out_of_order ${conceptTaxes}/cfdi:Traslados`],
    ],
    [
      'total transfers before the withholdings',
      [
        [
          totalTraslados,
          `${totalTraslados}<cfdi:Retenciones><cfdi:Retencion Impuesto="001" Importe="0"/></cfdi:Retenciones>`,
        ],
      ],
      [`element_out_of_order ${totals}/cfdi:Retenciones`],
    ],
    [
      'the Impuestos of a Concepto after its pedimento',
      [['      <cfdi:Impuestos>', `      ${pedimento}<cfdi:Impuestos>`]],
      [`element_out_of_order ${concepto}/cfdi:Impuestos`],
    ],
    [
      'a CuentaPredial between two pedimentos',
      [inConcepto(`${pedimento}<cfdi:CuentaPredial Numero="1"/>${pedimento}`)],
      [`element_out_of_order ${concepto}/cfdi:InformacionAduanera[2]`],
    ],
    [
      'an empty ComplementoConcepto',
      [inConcepto('<cfdi:ComplementoConcepto/>')],
      [`element_required ${concepto}/cfdi:ComplementoConcepto/*`],
    ],
    [
      'two ACuentaTerceros',
      [inConcepto(`${terceros}${terceros}`)],
      [`element_repeated ${concepto}/cfdi:ACuentaTerceros[2]`],
    ],
    [
      'a second Complemento',
      [inComprobante('<cfdi:Complemento/>')],
      [`element_repeated ${comprobante}/cfdi:Complemento[2]`],
    ],
    [
      'an empty Addenda',
      [inComprobante('<cfdi:Addenda/>')],
      [`element_required ${comprobante}/cfdi:Addenda/*`],
    ],
    [
      'an Addenda before the Complemento',
      [['  <cfdi:Complemento>', '  <cfdi:Addenda><x:y xmlns:x="urn:x"/></cfdi:Addenda><cfdi:Complemento>']],
      [`element_out_of_order ${comprobante}/cfdi:Complemento`],
    ],
    [
      'an element cfdv40.xsd does not define',
      [beforeEmisor('<cfdi:Notas/>')],
      [`element_unexpected ${comprobante}/cfdi:Notas`],
    ],
    [
      'an element of another namespace in the Comprobante',
      [beforeEmisor('<x:Notas xmlns:x="urn:x"/>')],
      [`element_unexpected ${comprobante}/x:Notas`],
    ],
    [
      'a child in an element without children',
      [['UsoCFDI="G03"/>', 'UsoCFDI="G03"><cfdi:Domicilio/></cfdi:Receptor>']],
      [`element_unexpected ${comprobante}/cfdi:Receptor/cfdi:Domicilio`],
    ],
    [
      'a CFDI element inside the Complemento',
      [
        [
          '</cfdi:Complemento>',
          '<cfdi:Emisor Rfc="EKU9003173C9" Nombre="X" RegimenFiscal="601"/></cfdi:Complemento>',
        ],
      ],
      [`element_unexpected ${comprobante}/cfdi:Complemento/cfdi:Emisor`],
    ],
    [
      'a stamp element other than its root',
      [
        [
          '</cfdi:Complemento>',
          '<tfd:Leyenda xmlns:tfd="http://www.sat.gob.mx/TimbreFiscalDigital"/></cfdi:Complemento>',
        ],
      ],
      [`element_unexpected ${comprobante}/cfdi:Complemento/tfd:Leyenda`],
    ],
  ])('reports %s', (_case, changes, expected) => {
    expect(after(...changes)).toEqual(expected);
  });

  it('reports an unknown element without checking inside it, and keeps checking its siblings', () => {
    expect(
      after(beforeEmisor('<cfdi:Notas Foo="1"><cfdi:Nota/></cfdi:Notas>'), onReceptor('Foo="1"')),
    ).toEqual([
      `element_unexpected ${comprobante}/cfdi:Notas`,
      `attribute_unexpected ${comprobante}/cfdi:Receptor/@Foo`,
    ]);
  });

  it('names the element out of order and the one it must precede', () => {
    const parsed = parseDocument(
      replaceOnce(
        valid,
        '<cfdi:Receptor ',
        '<cfdi:InformacionGlobal Periodicidad="01" Meses="01" Año="2025"/><cfdi:Receptor ',
      ),
      defaultReadingLimits,
    );
    if (!parsed.ok) throw new Error(parsed.problem.message);
    expect(checkComprobanteStructure(parsed.root)[0]?.message).toBe(
      'InformacionGlobal must come before Emisor',
    );
  });
});
