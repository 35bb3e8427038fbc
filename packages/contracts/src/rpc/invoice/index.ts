export * from '../../gen/fiscal/invoice/v1/invoice_pb.js';
