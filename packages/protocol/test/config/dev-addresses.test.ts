/** Checks that the fixed dev owner addresses are well-formed user-friendly TON addresses. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { DEV_CLIENT_OWNER_ADDRESS, DEV_PROXY_OWNER_ADDRESS, DEV_WORKER_OWNER_ADDRESS, EMPTY_SECRET_SHA256, tonAddressSchema } from '../../src/config/index.ts';

const crc16 = (data: Uint8Array): number => {
  let crc = 0;
  for (const byte of data) {
    crc ^= byte << 8;
    for (let bit = 0; bit < 8; bit++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc;
};

test('dev owner addresses: tag, workchain 0, account id, CRC16', () => {
  const cases = [
    ['client', DEV_CLIENT_OWNER_ADDRESS],
    ['proxy', DEV_PROXY_OWNER_ADDRESS],
    ['worker', DEV_WORKER_OWNER_ADDRESS],
  ] as const;
  for (const [role, address] of cases) {
    assert.equal(tonAddressSchema.safeParse(address).success, true);
    const bytes = Buffer.from(address, 'base64url');
    assert.equal(bytes.length, 36);
    assert.equal(bytes[0], 0x51, 'non-bounceable tag');
    assert.equal(bytes[1], 0, 'workchain 0');
    assert.deepEqual(bytes.subarray(2, 34), createHash('sha256').update(`cocoon-dev-${role}-owner`).digest());
    assert.equal(bytes.readUInt16BE(34), crc16(bytes.subarray(0, 34)));
  }
  assert.equal(EMPTY_SECRET_SHA256, createHash('sha256').update('').digest('hex'));
});
