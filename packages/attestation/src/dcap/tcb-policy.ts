/**
 * TCB policy applied after DCAP verification: which Intel TCB statuses are acceptable (default
 * only 'UpToDate') and, optionally, which security advisories may apply to an accepted platform.
 */
import { CocoonError } from '@cocoon/protocol/browser';

export interface TcbPolicy {
  /** Acceptable TCB statuses; default ['UpToDate']. */
  allowedStatuses?: readonly string[];
  /** When set, every advisory id of the result must be in this list. */
  allowedAdvisoryIds?: readonly string[];
}

export const DEFAULT_ALLOWED_TCB_STATUSES: readonly string[] = ['UpToDate'];

/** Throws CCN_ERR_ATTEST_TCB_STATUS when the status or an advisory is not allowed. */
export function checkTcbPolicy(status: string, advisoryIds: readonly string[], policy: TcbPolicy = {}): void {
  const allowedStatuses = policy.allowedStatuses ?? DEFAULT_ALLOWED_TCB_STATUSES;
  if (!allowedStatuses.includes(status)) {
    throw new CocoonError('CCN_ERR_ATTEST_TCB_STATUS', `TCB status ${status} not allowed (allowed: ${allowedStatuses.join(', ') || 'none'})`);
  }
  if (policy.allowedAdvisoryIds) {
    const allowed = new Set(policy.allowedAdvisoryIds);
    const refused = advisoryIds.filter((id) => !allowed.has(id));
    if (refused.length > 0) {
      throw new CocoonError('CCN_ERR_ATTEST_TCB_STATUS', `TCB status ${status} carries advisories not allowed by policy: ${refused.join(', ')}`);
    }
  }
}
