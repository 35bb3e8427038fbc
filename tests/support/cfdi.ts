import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

/** A stamped, valid CFDI 4.0 (fixtures/cfdi/SOURCES.md), and the metadata it declares. */
export const validDocument = readFileSync(
  new URL('../../fixtures/cfdi/cfdiutils-cfdi40-valid.xml', import.meta.url),
);

export const validDocumentChecksum = createHash('sha256').update(validDocument).digest('hex');

/** TimbreFiscalDigital UUID, Emisor, Receptor, Total, Moneda and Fecha (at Mexico City's offset). */
export const validMetadata = {
  uuid: '6f35d3b5-3651-5370-bc2c-14cdbe384cd7',
  issuer: 'EKU9003173C9',
  receiver: 'MCI7306249Y1',
  amount: '3327.01',
  currency: 'MXN',
  issuanceDate: '2025-02-19T08:32:29-06:00',
};
