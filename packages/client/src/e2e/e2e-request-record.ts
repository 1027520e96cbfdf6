/**
 * What the client runner keeps per end-to-end request (§22) in its receipt store, and the audit over
 * those records: the request (its e2e id, how it went out, the model, the request hash), the worker's
 * receipt as it came with whether it verified (and why not), and the proxy's charge for the same request
 * (`proxy.clientRequestPayment`: request_tokens and the signed running total). Any charged token of a
 * request without a valid receipt covering it is a finding. Plain JSON (bigints as decimal strings), so a
 * record reads the same after a restart and over HTTP.
 */

/** How the request reached the proxy: sealed by this runner, or relayed blind for an app. */
export type E2eRequestMode = 'sealed' | 'relayed';

export interface E2eStoredReceipt {
  /** Whether its signature, request id, request hash, answer hash and key checked out. */
  verified: boolean;
  /** Why it did not verify. */
  reason?: string;
  /** base64 of the boxed ext.e2eSignedReceipt exactly as received. */
  signed: string;
  /** The signed body, readable: ids and keys as hex, token counts and money as decimal strings. */
  body: Record<string, unknown>;
  /** tokens_used.total_tokens_used of the body (decimal). */
  tokens: string;
}

export interface E2eStoredCharge {
  /** The tokens the proxy charged for this request (decimal). */
  request_tokens: string;
  /** The proxy's running totals at that moment (decimal). */
  db_tokens: string;
  max_tokens: string;
  /** base64 of the signed payment's data (the proxy's signed running charge on chain), null when empty. */
  signed_payment: string | null;
  received_at_ms: number;
}

export interface E2eRequestRecord {
  /** 64 hex digits: the header's request id (also the client.runQueryEx request id). */
  request_id: string;
  mode: E2eRequestMode;
  model: string;
  started_at_ms: number;
  /** SHA-256 of the ext.e2eRequest bytes as sent, hex. */
  request_hash: string;
  /** The proxy connection it went out on. */
  proxy: string;
  outcome: 'pending' | 'ok' | 'failed';
  error: { code: string; message: string } | null;
  receipt: E2eStoredReceipt | null;
  charge: E2eStoredCharge | null;
}

export interface E2eAuditFinding {
  request_id: string;
  charged_tokens: bigint;
  receipt_tokens: bigint;
  reason: string;
}

export interface E2eAuditReport {
  requests: number;
  receipted: number;
  charged_tokens: bigint;
  receipted_tokens: bigint;
  findings: E2eAuditFinding[];
}

/** The record's finding, if any: a charge with no receipt, with an invalid one, or larger than its receipt. */
export function findingOf(record: E2eRequestRecord): E2eAuditFinding | undefined {
  const charged = record.charge ? BigInt(record.charge.request_tokens) : 0n;
  if (charged === 0n) return undefined;
  const receipt = record.receipt;
  const receiptTokens = receipt?.verified ? BigInt(receipt.tokens) : 0n;
  const base = { request_id: record.request_id, charged_tokens: charged, receipt_tokens: receiptTokens };
  if (!receipt) return { ...base, reason: 'charged without a receipt' };
  if (!receipt.verified) return { ...base, reason: `charged with an invalid receipt: ${receipt.reason ?? 'did not verify'}` };
  if (charged > receiptTokens) return { ...base, reason: `charged ${charged} tokens, the receipt covers ${receiptTokens}` };
  return undefined;
}

/** Adds one record to a running report. */
export function addToReport(report: E2eAuditReport, record: E2eRequestRecord): void {
  report.requests += 1;
  if (record.receipt?.verified) {
    report.receipted += 1;
    report.receipted_tokens += BigInt(record.receipt.tokens);
  }
  if (record.charge) report.charged_tokens += BigInt(record.charge.request_tokens);
  const finding = findingOf(record);
  if (finding) report.findings.push(finding);
}

export function emptyReport(): E2eAuditReport {
  return { requests: 0, receipted: 0, charged_tokens: 0n, receipted_tokens: 0n, findings: [] };
}
