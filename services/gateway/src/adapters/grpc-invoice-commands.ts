import { type Client, createClient, type Transport } from '@connectrpc/connect';
import { InvoiceService } from '@fiscal/contracts/rpc/invoice';
import { fromConnectError } from '@fiscal/kit/grpc';
import type { Policy } from '@fiscal/kit/resilience';
import type { InvoiceSubmissionBody } from '../api/invoice-schemas.js';
import type { InvoiceCommands } from '../app/upstreams.js';

/** The invoice service's commands over gRPC, behind the upstream's breaker and bulkhead. */
export function createGrpcInvoiceCommands(transport: Transport, policy: Policy): InvoiceCommands {
  const client: Client<typeof InvoiceService> = createClient(InvoiceService, transport);
  return {
    async create(orgId, submission: InvoiceSubmissionBody) {
      const response = await callUpstream(policy, (signal) =>
        client.createInvoice(
          {
            orgId,
            submission: {
              uuid: submission.uuid,
              issuer: submission.issuer,
              receiver: submission.receiver,
              amount: submission.amount,
              currency: submission.currency,
              issuanceDate: submission.issuanceDate,
              document:
                submission.xml !== undefined
                  ? { case: 'xml', value: submission.xml }
                  : submission.fileUrl !== undefined
                    ? {
                        case: 'reference',
                        value: { fileUrl: submission.fileUrl, checksum: submission.checksum ?? '' },
                      }
                    : { case: undefined },
            },
          },
          { signal },
        ),
      );
      const invoice = response.invoice!;
      return { id: invoice.id, uuid: invoice.uuid, status: invoice.status, created: response.created };
    },
  };
}

/** Runs a call through the policy and turns gRPC failures back into the service's `AppError`. */
export function callUpstream<T>(policy: Policy, call: (signal: AbortSignal) => Promise<T>): Promise<T> {
  return policy.execute(async (signal) => {
    try {
      return await call(signal);
    } catch (error) {
      throw fromConnectError(error);
    }
  });
}
