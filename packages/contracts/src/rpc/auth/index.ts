export * from '../../gen/fiscal/auth/v1/auth_pb.js';
