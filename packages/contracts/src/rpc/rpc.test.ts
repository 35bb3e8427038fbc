import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { describe, expect, it } from 'vitest';
import { CreateInvoiceRequestSchema, InvoiceService } from './invoice/index.js';
import { InvoiceSummarySchema, QueryService } from './query/index.js';

describe('generated gRPC contracts', () => {
  it('round-trips a create-invoice request through the wire format', () => {
    const request = create(CreateInvoiceRequestSchema, {
      submission: {
        uuid: '5c1a7a34-6f8b-4d5e-9b44-2f8f0a1e7c11',
        amount: '1160.00',
        document: {
          case: 'reference',
          value: { fileUrl: 'https://erp.example/1.xml', checksum: 'ab'.repeat(32) },
        },
      },
    });
    const decoded = fromBinary(CreateInvoiceRequestSchema, toBinary(CreateInvoiceRequestSchema, request));
    expect(decoded.submission?.amount).toBe('1160.00');
    expect(decoded.submission?.document).toMatchObject({
      case: 'reference',
      value: { fileUrl: 'https://erp.example/1.xml' },
    });
  });

  it('keeps absent optional read-model fields absent rather than empty', () => {
    const summary = fromBinary(
      InvoiceSummarySchema,
      toBinary(InvoiceSummarySchema, create(InvoiceSummarySchema, { id: 'i' })),
    );
    expect(summary.processingMs).toBeUndefined();
    expect(summary.uuid).toBeUndefined();
  });

  it('carries per-invoice sizes and timings as plain numbers', () => {
    const summary = fromBinary(
      InvoiceSummarySchema,
      toBinary(
        InvoiceSummarySchema,
        create(InvoiceSummarySchema, { id: 'i', processingMs: 42, originalSize: 8_192, compressedSize: 0 }),
      ),
    );
    expect(summary).toMatchObject({ processingMs: 42, originalSize: 8_192, compressedSize: 0 });
  });

  it('describes the services the gateway calls', () => {
    expect(InvoiceService.typeName).toBe('fiscal.invoice.v1.InvoiceService');
    expect(Object.keys(QueryService.method)).toEqual(['getInvoice', 'listInvoices', 'getTimeline']);
  });
});
