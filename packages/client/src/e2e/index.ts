/**
 * The client runner's end-to-end encryption part (§22): the blind relay, receipt and collateral routes, runner-sealing
 * in front of the protocol gateway (with the proto-3 fallback), the e2e client over the proxy sessions and
 * the durable receipt store with its audit.
 */
export { E2eClient } from './e2e-client.ts';
export type { E2eClientOptions, E2eOutgoingRequest, E2eTrust } from './e2e-client.ts';
export { E2eKeyDirectory } from './e2e-key-directory.ts';
export type { E2eKeyDirectoryOptions, VerifiedE2eWorker } from './e2e-key-directory.ts';
export { E2eReceiptStore } from './e2e-receipt-store.ts';
export type { E2eReceiptCounts } from './e2e-receipt-store.ts';
export { findingOf } from './e2e-request-record.ts';
export type { E2eAuditFinding, E2eAuditReport, E2eRequestMode, E2eRequestRecord, E2eStoredCharge, E2eStoredReceipt } from './e2e-request-record.ts';
export { E2eSealingGateway } from './e2e-sealing-gateway.ts';
export type { E2eFallbackPolicy, E2eSealingGatewayOptions } from './e2e-sealing-gateway.ts';
export { Proto3Fallback } from './proto3-fallback.ts';
export type { Proto3FallbackOptions } from './proto3-fallback.ts';
export { E2E_REQUESTS_PATH, E2E_WORKERS_PATH, RECEIPTS_PATH_PREFIX, handleE2eRoute, isE2eRoute } from './e2e-relay-routes.ts';
export type { E2eRouteContext } from './e2e-relay-routes.ts';
export { AUDIT_PATH, e2eExtraRoutes, handleAuditRoute } from './e2e-http-routes.ts';
export type { E2eExtraRouteOptions } from './e2e-http-routes.ts';
export { E2E_COLLATERAL_PATH, MAX_QUOTE_BYTES, handleCollateralRoute } from './e2e-collateral-route.ts';
export type { CollateralLookup, CollateralRouteContext, SevSnpChainLookup } from './e2e-collateral-route.ts';
