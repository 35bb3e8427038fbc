import { loadCfdiReferences } from '../adapters/cfdi-references.js';

/** The catalogs and certificate store the service ships with, loaded once per test file. */
export const { catalogs: bundledCatalogs, certificates: bundledCertificates } = await loadCfdiReferences({
  certificateDir: '',
});
