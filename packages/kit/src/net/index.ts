export {
  type AllowList,
  type AllowListOptions,
  type ConnectTarget,
  createAllowList,
  defaultPlatformPorts,
  ForbiddenAddress,
  guardedConnector,
  guardedLookup,
  portOf,
} from './address-guard.js';
export { isForbiddenAddress, isOwnAddress } from './ip-address.js';
export { ensurePortFree, type ListenAddress, PortInUseError, portInUseOr } from './port-in-use.js';
