import type { CfdiCatalogs } from '../catalogs/index.js';
import {
  bundledCertificatesDirectory,
  createFsCertificateStore,
  type FsCertificateStore,
} from './fs-certificate-store.js';
import { loadCfdiCatalogs } from './fs-cfdi-catalogs.js';

export interface CfdiReferences {
  catalogs: CfdiCatalogs;
  certificates: FsCertificateStore;
}

/**
 * What the validator checks documents against, loaded once per process: the SAT catalogs this package
 * bundles, and the PAC certificates of `certificateDir` (empty: the bundled ones).
 */
export async function loadCfdiReferences({
  certificateDir,
}: {
  certificateDir: string;
}): Promise<CfdiReferences> {
  const [catalogs, certificates] = await Promise.all([
    loadCfdiCatalogs(),
    createFsCertificateStore({ directory: certificateDir || bundledCertificatesDirectory }),
  ]);
  return { catalogs, certificates };
}
