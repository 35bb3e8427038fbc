export * from '../../gen/fiscal/analytics/v1/analytics_pb.js';
