import type { MessageInitShape } from '@bufbuild/protobuf';
import { type Client, createClient, type Transport } from '@connectrpc/connect';
import { type Invoice, InvoiceService, type InvoiceSubmissionSchema } from '@fiscal/contracts/rpc/invoice';
import { AppError } from '@fiscal/kit/errors';
import type { Policy } from '@fiscal/kit/resilience';
import { activeTraceSampled } from '@fiscal/kit/telemetry';
import type {
  AcceptedInvoice,
  BatchItemOutcome,
  InvoiceCommands,
  InvoiceSubmission,
} from '../app/upstreams.js';
import { callUpstream } from './call-upstream.js';
import { createSubmissionCoalescer } from './coalesced-submissions.js';

export interface GrpcInvoiceCommandsOptions {
  policy: Policy;
  /**
   * Batches go through a policy of their own: a longer deadline (up to 1,000 invoices are written
   * in one call) and their own bulkhead, so a few large batches cannot take the slots single
   * submissions need.
   */
  batchPolicy: Policy;
  /** Deadline of a batch call; it has to agree with `batchPolicy`'s timeout. */
  batchTimeoutMs: number;
}

/** The invoice service's commands over gRPC, behind the upstream's breaker and bulkhead. */
export function createGrpcInvoiceCommands(
  transport: Transport,
  { policy, batchPolicy, batchTimeoutMs }: GrpcInvoiceCommandsOptions,
): InvoiceCommands {
  const client: Client<typeof InvoiceService> = createClient(InvoiceService, transport);
  const coalescer = createSubmissionCoalescer({ client, policy, acceptedOf });
  return {
    async create(requester, submission, options = {}) {
      // Built outside the policy: a bug here is ours, not a failure of the upstream.
      const request = {
        submission: toSubmissionMessage(submission),
        idempotencyKey: options.idempotencyKey ?? '',
      };
      const sendAlone = async () =>
        acceptedOf(
          await callUpstream(policy, requester, (callOptions) => client.createInvoice(request, callOptions)),
        );
      // A keyed request is answered under its key; a sampled one keeps its own spans: both go alone.
      if (request.idempotencyKey || activeTraceSampled()) return sendAlone();
      return coalescer.submit(requester, request.submission, sendAlone);
    },

    async createBatch(requester, submissions, options = {}) {
      const request = {
        submissions: submissions.map(toSubmissionMessage),
        idempotencyKey: options.idempotencyKey ?? '',
      };
      const response = await callUpstream(batchPolicy, requester, (callOptions) =>
        client.createInvoiceBatch(request, { ...callOptions, timeoutMs: batchTimeoutMs }),
      );
      return response.results.map(({ index, outcome }): BatchItemOutcome => {
        if (outcome.case === 'accepted') return { index, accepted: acceptedOf(outcome.value) };
        if (outcome.case === 'error') {
          const { code, message, errors } = outcome.value;
          // Plain objects: the protobuf messages carry descriptor fields a JSON answer must not.
          const problems = errors.map((problem) => ({
            field: problem.field,
            code: problem.code,
            message: problem.message,
          }));
          return { index, refused: { code, message, errors: problems } };
        }
        throw new AppError('internal', 'upstream_invalid_response', `Batch result ${index} has no outcome.`);
      });
    },

    async get(requester, id) {
      const { invoice } = await callUpstream(policy, requester, (options) =>
        client.getInvoice({ id }, options),
      );
      const found = invoice!;
      const archived = found.storageKey !== '';
      return {
        id: found.id,
        uuid: found.uuid,
        issuer: found.issuer,
        receiver: found.receiver,
        amount: found.amount,
        currency: found.currency,
        issuanceDate: found.issuanceDate,
        status: found.status,
        reason: found.outcomeReason || null,
        errors: found.problems.map(({ field, code, message }) => ({ code, path: field, message })),
        processingMs: null,
        originalSize: archived ? found.originalSize : null,
        compressedSize: archived ? found.compressedSize : null,
        createdAt: found.createdAt,
        updatedAt: found.updatedAt,
      };
    },

    async reprocess(requester, id) {
      const { invoice } = await callUpstream(policy, requester, (options) =>
        client.reprocessInvoice({ id }, options),
      );
      return { id: invoice!.id, uuid: invoice!.uuid, status: invoice!.status };
    },
  };
}

function toSubmissionMessage(
  submission: InvoiceSubmission,
): MessageInitShape<typeof InvoiceSubmissionSchema> {
  if ('rawXml' in submission)
    return { document: { case: 'xml', value: submission.rawXml }, metadataFromDocument: true };
  return {
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
          ? { case: 'reference', value: { fileUrl: submission.fileUrl, checksum: submission.checksum ?? '' } }
          : { case: undefined },
  };
}

/** A single call's answer, or an accepted item of a batch's. */
function acceptedOf(response: { invoice?: Invoice | undefined; created: boolean }): AcceptedInvoice {
  const invoice = response.invoice!;
  return { id: invoice.id, uuid: invoice.uuid, status: invoice.status, created: response.created };
}
