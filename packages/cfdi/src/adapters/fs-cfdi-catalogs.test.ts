import { copyFile, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CatalogError, type CfdiCatalogs, validityOn } from '../catalogs/index.js';
import { bundledCatalogsDirectory, loadCfdiCatalogs } from './fs-cfdi-catalogs.js';

let scratch: string | undefined;
let catalogs: CfdiCatalogs;

beforeAll(async () => {
  catalogs = await loadCfdiCatalogs();
});

afterEach(async () => {
  if (scratch) await rm(scratch, { recursive: true, force: true });
  scratch = undefined;
});

/** A copy of the bundled catalogs in a temporary directory, with `change` applied to it. */
async function copyOfBundle(change: (directory: string) => Promise<void>): Promise<string> {
  scratch = await mkdtemp(join(tmpdir(), 'fiscal-catalogs-'));
  for (const name of await readdir(bundledCatalogsDirectory))
    if (name.endsWith('.csv')) await copyFile(join(bundledCatalogsDirectory, name), join(scratch, name));
  await change(scratch);
  return scratch;
}

describe('loading the SAT catalogs from the filesystem', () => {
  it('loads every bundled catalog, with the row counts catalogs/SOURCES.md gives', () => {
    expect({
      formaPago: catalogs.formaPago.size,
      metodoPago: catalogs.metodoPago.size,
      moneda: catalogs.moneda.size,
      regimenFiscal: catalogs.regimenFiscal.size,
      usoCfdi: catalogs.usoCfdi.size,
      tipoDeComprobante: catalogs.tipoDeComprobante.size,
      exportacion: catalogs.exportacion.size,
      objetoImp: catalogs.objetoImp.size,
      impuesto: catalogs.impuesto.size,
      tipoFactor: catalogs.tipoFactor.size,
      tasaOCuota: catalogs.tasaOCuota.length,
      pais: catalogs.pais.size,
      periodicidad: catalogs.periodicidad.size,
      meses: catalogs.meses.size,
      tipoRelacion: catalogs.tipoRelacion.size,
      claveUnidad: catalogs.claveUnidad.size,
      claveProdServ: catalogs.claveProdServ.size,
    }).toEqual({
      formaPago: 22,
      metodoPago: 2,
      moneda: 183,
      regimenFiscal: 19,
      usoCfdi: 24,
      tipoDeComprobante: 5,
      exportacion: 4,
      objetoImp: 8,
      impuesto: 3,
      tipoFactor: 3,
      tasaOCuota: 19,
      pais: 250,
      periodicidad: 5,
      meses: 18,
      tipoRelacion: 7,
      claveUnidad: 2418,
      claveProdServ: 52514,
    });
  });

  it('reads the columns the rules use', () => {
    expect(catalogs.moneda.get('JPY')).toMatchObject({ decimals: 0, variationPercent: 5 });
    expect(catalogs.moneda.get('CLF')?.decimals).toBe(4);
    expect(catalogs.usoCfdi.get('D01')).toMatchObject({ forPersonaFisica: true, forPersonaMoral: false });
    expect(catalogs.usoCfdi.get('G03')?.receptorRegimes.has('601')).toBe(true);
    expect(catalogs.usoCfdi.get('G03')?.receptorRegimes.has('605')).toBe(false);
    expect(catalogs.tipoDeComprobante.get('T')?.maximumTotal).toBe('0');
    expect(catalogs.formaPago.get('03')).toMatchObject({ banked: true, allowsPaymentChain: true });
    expect(catalogs.claveProdServ.get('84111506')).toEqual({
      key: '84111506',
      validFrom: '2019-01-07',
      validTo: null,
    });
  });

  it('answers nothing for a key that is not in a catalog', () => {
    expect(catalogs.usoCfdi.get('P01')).toBeUndefined();
    expect(catalogs.regimenFiscal.get('628')).toBeUndefined();
    expect(catalogs.claveProdServ.get('99999999')).toBeUndefined();
  });

  it('tells a key valid on a day from one expired or not yet valid', () => {
    const gasoline = catalogs.claveProdServ.get('15101506')!;
    expect(gasoline.validTo).toBe('2020-01-15');
    expect(validityOn(gasoline, '2020-01-15')).toBe('valid');
    expect(validityOn(gasoline, '2023-06-01')).toBe('expired');
    const objetoImp08 = catalogs.objetoImp.get('08')!;
    expect(validityOn(objetoImp08, '2024-12-12')).toBe('not_yet_valid');
    expect(validityOn(objetoImp08, '2024-12-13')).toBe('valid');
  });

  it('refuses a bundle that lacks a catalog, naming it', async () => {
    const directory = await copyOfBundle((path) => rm(join(path, 'c_UsoCFDI.csv')));
    const failure = await loadCfdiCatalogs(directory).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(CatalogError);
    expect(failure).toMatchObject({ code: 'catalog_missing', message: 'catalog c_UsoCFDI is missing' });
  });

  it('refuses a catalog whose rows are malformed, naming the line', async () => {
    const directory = await copyOfBundle((path) =>
      writeFile(
        join(path, 'c_Moneda.csv'),
        'key,description,decimals,variation_pct,valid_from,valid_to\nMXN,Peso,dos,5,2022-01-01,\n',
      ),
    );
    await expect(loadCfdiCatalogs(directory)).rejects.toMatchObject({
      code: 'catalog_malformed',
      message: expect.stringContaining('c_Moneda, line 2: decimals "dos"'),
    });
  });
});
