import type { DocumentCodec, ObjectStore } from '../domain/document/index.js';
import {
  DocumentNotArchived,
  type InvoiceKey,
  InvoiceNotFound,
  type InvoiceRepository,
} from '../domain/invoice/index.js';

export interface ArchivedOriginal {
  content: Uint8Array;
  codec: string;
  checksum: string;
}

export interface GetDocumentDependencies {
  invoices: InvoiceRepository;
  objects: ObjectStore;
  codecByName: (name: string) => DocumentCodec | undefined;
}

/** The archived original of an invoice, decompressed: the bytes that were submitted. */
export function getDocumentHandler({ invoices, objects, codecByName }: GetDocumentDependencies) {
  return async function handle(key: InvoiceKey): Promise<ArchivedOriginal> {
    const invoice = await invoices.findById(key);
    if (!invoice) throw new InvoiceNotFound(key.id);
    if (invoice.status !== 'archived' || !invoice.archive) {
      throw new DocumentNotArchived(invoice.id, invoice.status);
    }
    const { storageKey, codec: codecName } = invoice.archive;
    const codec = codecByName(codecName);
    if (!codec) throw new Error(`invoice ${invoice.id} is stored with unknown codec ${codecName}`);
    const stored = await objects.get(storageKey);
    if (!stored) throw new Error(`archived object ${storageKey} of invoice ${invoice.id} is missing`);
    return { content: await codec.decompress(stored), codec: codecName, checksum: invoice.checksum };
  };
}
