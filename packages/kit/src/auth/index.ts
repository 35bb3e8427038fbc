export {
  type AccessTokenVerifier,
  type AccessTokenVerifierOptions,
  createAccessTokenVerifier,
  unauthenticated,
  type VerifiedCaller,
} from './access-token-verifier.js';
export { callerKeysConfig } from './caller-keys-settings.js';
export { createJwksKeyStore, type JwksKeyStore, type JwksKeyStoreOptions } from './jwks-key-store.js';
export {
  authenticateRpcCallers,
  bearerHeader,
  optionalRpcCallerOf,
  type RpcAuthenticationOptions,
  rpcCallerOf,
} from './rpc-authentication.js';
export { createServiceCallerVerifier, type ServiceCallerVerifierOptions } from './service-verifier.js';
