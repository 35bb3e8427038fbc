import {
  bundledCertificatesDirectory,
  createFsCertificateStore,
} from '../../../adapters/fs-certificate-store.js';
import { loadCfdiCatalogs } from '../../../adapters/fs-cfdi-catalogs.js';

/** The catalogs and certificate store the service ships with, loaded once per test file. */
export const bundledCatalogs = await loadCfdiCatalogs();
export const bundledCertificates = await createFsCertificateStore({
  directory: bundledCertificatesDirectory,
});
