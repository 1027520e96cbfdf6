/**
 * How the e2e routes (§22) plug into the client's HTTP edge: the public relay, receipt and collateral
 * (`POST /v1/e2e/collateral`, with the runner's collateral lookup) routes as the server's `extraRoutes`, and `GET /request/audit` (admin token, like every /request/* route) as a
 * request route — the receipt store's audit as JSON: every charged token of a request without a valid
 * receipt covering it is a finding.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { CocoonError, toJsonText } from '@cocoon/protocol';
import type { InferenceExchangeContext } from '../http/inference-exchange.ts';
import { sendBody } from '../http/json-response.ts';
import type { E2eClient } from './e2e-client.ts';
import { handleE2eRoute, isE2eRoute } from './e2e-relay-routes.ts';
import { E2E_COLLATERAL_PATH, handleCollateralRoute } from './e2e-collateral-route.ts';
import type { CollateralLookup, SevSnpChainLookup } from './e2e-collateral-route.ts';

export const AUDIT_PATH = '/request/audit';

export interface E2eExtraRouteOptions {
  /** Serves `POST /v1/e2e/collateral` (without it that path is 404). */
  collateralFor?: CollateralLookup | undefined;
  /** Serves `POST /v1/e2e/collateral?tee=sev-snp&product=…` (needs collateralFor too). */
  sevSnpChainFor?: SevSnpChainLookup | undefined;
}

/** The server's `extraRoutes` for the relay, receipts and collateral. */
export function e2eExtraRoutes(e2e: E2eClient, options: E2eExtraRouteOptions = {}): (request: IncomingMessage, response: ServerResponse, url: URL, edge: InferenceExchangeContext) => Promise<boolean> {
  const { collateralFor, sevSnpChainFor } = options;
  return async (request, response, url, edge) => {
    if (collateralFor && url.pathname === E2E_COLLATERAL_PATH) {
      await handleCollateralRoute(request, response, { collateralFor, sevSnpChainFor, bodyLimits: edge.bodyLimits, now: edge.now });
      return true;
    }
    if (!isE2eRoute(url.pathname)) return false;
    await handleE2eRoute(request, response, url, { e2e, bodyLimits: edge.bodyLimits, track: edge.track, timers: edge.timers });
    return true;
  };
}

/** `GET /request/audit`; false for other paths. The caller checked the admin token. */
export function handleAuditRoute(e2e: E2eClient, request: IncomingMessage, response: ServerResponse, url: URL): boolean {
  if (url.pathname !== AUDIT_PATH) return false;
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    request.resume();
    throw new CocoonError('CCN_ERR_HTTP_METHOD_NOT_ALLOWED', `${AUDIT_PATH} accepts GET only`);
  }
  sendBody(response, 200, 'application/json; charset=utf-8', toJsonText(e2e.store.audit()));
  return true;
}
