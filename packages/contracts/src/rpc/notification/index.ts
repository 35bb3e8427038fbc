export * from '../../gen/fiscal/notification/v1/notification_pb.js';
