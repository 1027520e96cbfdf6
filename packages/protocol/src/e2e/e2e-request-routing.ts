/**
 * What the proxy may read of an end-to-end request (§22): whether a runQueryEx query is one, and its
 * clear header and recipient keys (authenticated end to end by the AEADs, so a proxy that altered them
 * only makes the request fail). The ciphertext stays opaque.
 */
import { CocoonError } from '../errors/error-table.ts';
import { constructorId } from '../tl/tl-codec.ts';
import type { ExtE2eRequestHeader } from '../tl/generated/cocoon-api-types.ts';
import { bytesEqual } from './e2e-labels.ts';
import { decodeE2eBoxed, leadingConstructorId } from './e2e-tl.ts';

const E2E_REQUEST_ID = constructorId('ext.e2eRequest');

/** Whether `query` begins with the ext.e2eRequest constructor id. */
export function isE2eRequestBytes(query: Uint8Array): boolean {
  return leadingConstructorId(query) === E2E_REQUEST_ID;
}

/** The header and recipient keys of an e2e request; throws CCN_ERR_E2E_REQUEST_INVALID. */
export function readE2eRequestRouting(query: Uint8Array): { header: ExtE2eRequestHeader; recipientKeys: Uint8Array[] } {
  const request = decodeE2eBoxed(query, 'CCN_ERR_E2E_REQUEST_INVALID', 'e2e request', 'ext.e2eRequest');
  const { header, recipients } = request;
  if (recipients.length === 0 || recipients.length !== header.recipients.length
    || recipients.some((entry, index) => !bytesEqual(entry.hpke_public_key, header.recipients[index]!))) {
    throw new CocoonError('CCN_ERR_E2E_REQUEST_INVALID', 'e2e request: the recipients do not match the header');
  }
  return { header, recipientKeys: header.recipients.map((key) => new Uint8Array(key)) };
}
