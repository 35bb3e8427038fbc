export {
  type AllowList,
  type ConnectTarget,
  createAllowList,
  ForbiddenAddress,
  guardedConnector,
  guardedLookup,
  isForbiddenAddress,
  portOf,
} from './address-guard.js';
