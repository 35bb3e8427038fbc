export * from '../../gen/fiscal/query/v1/query_pb.js';
