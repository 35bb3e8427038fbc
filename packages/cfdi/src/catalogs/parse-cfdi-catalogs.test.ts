import { describe, expect, it } from 'vitest';
import { CatalogError } from './catalog-table.js';
import { validityOn } from './cfdi-catalogs.js';
import { parseCfdiCatalogs } from './parse-cfdi-catalogs.js';
import { bundledCatalogFiles } from './testing/bundled-catalogs.js';

const bundle = bundledCatalogFiles();

function parseWith(name: string, text: string) {
  return parseCfdiCatalogs({ ...bundle, [name]: text });
}

function failureOf(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('parsing the SAT catalogs', () => {
  it('accepts file names with or without .csv', () => {
    const withoutExtension = Object.fromEntries(
      Object.entries(bundle).map(([name, text]) => [name.replace(/\.csv$/, ''), text]),
    );
    expect(parseCfdiCatalogs(withoutExtension).moneda.get('MXN')?.decimals).toBe(2);
  });

  it('keeps the validity dates of every key, open ends as null', () => {
    const catalogs = parseCfdiCatalogs(bundle);
    expect(catalogs.objetoImp.get('05')).toEqual({ key: '05', validFrom: '2023-12-06', validTo: null });
    expect(catalogs.tipoDeComprobante.get('N')).toMatchObject({ validFrom: null, validTo: null });
    expect(validityOn({ validFrom: '2022-01-01', validTo: '2022-12-31' }, '2023-01-01')).toBe('expired');
    expect(validityOn({ validFrom: '2022-01-01', validTo: null }, '2021-12-31')).toBe('not_yet_valid');
  });

  it('reads c_TasaOCuota as rules, fixed rates and ranges', () => {
    const rules = parseCfdiCatalogs(bundle).tasaOCuota;
    expect(rules).toContainEqual({
      kind: 'fixed',
      minimum: null,
      value: '0.160000',
      impuesto: '002',
      factor: 'Tasa',
      transferred: true,
      withheld: false,
      validFrom: '2022-01-01',
      validTo: null,
    });
    expect(rules).toContainEqual(
      expect.objectContaining({
        kind: 'range',
        minimum: '0.000000',
        value: '0.350000',
        impuesto: '001',
        withheld: true,
      }),
    );
  });

  it('keeps the c_Pais patterns as SAT publishes them', () => {
    expect(parseCfdiCatalogs(bundle).pais.get('USA')?.taxIdPattern).toBe('[0-9]{9}');
  });

  it.each([
    [
      'c_UsoCFDI.csv',
      'key,description,aplica_fisica,regimenes_fiscales_receptores,valid_from,valid_to\n',
      'no column aplica_moral',
    ],
    [
      'c_RegimenFiscal.csv',
      'key,description,aplica_fisica,aplica_moral,valid_from,valid_to\n601,x,si,1,2022-01-01,\n',
      'aplica_fisica "si" is not 1 or 0',
    ],
    [
      'c_Exportacion.csv',
      'key,description,valid_from,valid_to\n01,x,01/01/2022,\n',
      'valid_from "01/01/2022" is not a date',
    ],
    [
      'c_TasaOCuota.csv',
      'tipo,minimo,valor,impuesto,factor,traslado,retencion,valid_from,valid_to\nFijo,,x,002,Tasa,1,0,2022-01-01,\n',
      'valor "x" is not a decimal',
    ],
    ['c_ClaveProdServ.csv', 'key,description,valid_from,valid_to\n01010101,x,2019,\n', 'line 2'],
    ['c_ClaveProdServ.csv', 'key,description\n', 'needs the columns key, valid_from, valid_to'],
  ])('refuses a malformed %s: %s', (name, text, detail) => {
    const failure = failureOf(() => parseWith(name, text));
    expect(failure).toBeInstanceOf(CatalogError);
    expect(failure).toMatchObject({ code: 'catalog_malformed', message: expect.stringContaining(detail) });
  });

  it('refuses a set without a catalog the rules need', () => {
    const { 'c_TipoFactor.csv': _left, ...rest } = bundle;
    expect(failureOf(() => parseCfdiCatalogs(rest))).toMatchObject({ code: 'catalog_missing' });
  });
});
