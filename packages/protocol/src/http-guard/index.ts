/** The doors of the runners' HTTP ports: the admin token file and the per-request guard. */
export { loadOrCreateAdminToken, readAdminToken } from './admin-token-file.ts';
export {
  HttpRequestGuard,
  CONTROL_PATH_PREFIX,
  isControlPath,
  isSameOrigin,
  hostNameOfHeader,
  normalizeHostName,
  mediaTypeOf,
  requireMediaType,
  requireJsonContentType,
  type HttpAccessOptions,
  type HttpRequestGuardOptions,
} from './http-request-guard.ts';
