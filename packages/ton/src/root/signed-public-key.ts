/**
 * root_add_public_key_signed (0x9e0e1821, §6.9): how a key manager publishes an encryption key on
 * the root. Envelope `op query_id send_excesses_to:(Maybe address) signature:bits512 ^payload`, payload
 * `op query_id public_key:uint256 key_type:uint8 expire_at:uint32`; Ed25519 by the root's
 * key_manager_public_key over the payload cell hash — the reference's sign_and_wrap_message, so anyone
 * may relay it and set its own send_excesses_to. Pure builders plus the value the reference attaches.
 */
import { beginCell, type Address, type Cell } from '@ton/core';
import { keyPairFromSeed, sign, signVerify } from '@ton/crypto';
import { CocoonError } from '@cocoon/protocol';
import { ContractOp } from '../contracts/contract-opcodes.ts';
import { hashToBigInt, hashToHex, type HashInput } from './root-hashes.ts';

/** What the reference's key manager attaches to every signed key registration (0.4 TON); the root returns the excess. */
export const ADD_PUBLIC_KEY_SIGNED_VALUE_NANOTON = 400_000_000n;

export interface SignedPublicKeyFields {
  /** The encryption public key to register (32 bytes). */
  publicKey: HashInput;
  keyType: number;
  /** Unix seconds; the root refuses a key already expired. */
  expireAt: number;
  /** uint64; the reference uses a random one. Signed: the envelope must carry the same. */
  queryId: bigint;
}

export interface SignedPublicKeyEnvelope extends SignedPublicKeyFields {
  /** 64-byte Ed25519 signature over the payload cell hash. */
  signature: Buffer;
  /** Where the root sends the unused value; absent = back to the sender (the relaying wallet). */
  sendExcessesTo?: Address;
}

function invalid(message: string, param: string): never {
  throw new CocoonError('CCN_ERR_INTERNAL', message, { param });
}

function checkFields(fields: SignedPublicKeyFields): void {
  if (!Number.isInteger(fields.keyType) || fields.keyType < 0 || fields.keyType > 0xff) invalid(`keyType must be a uint8, got ${fields.keyType}`, 'keyType');
  if (!Number.isInteger(fields.expireAt) || fields.expireAt < 0 || fields.expireAt > 0xffff_ffff) invalid(`expireAt must be a uint32, got ${fields.expireAt}`, 'expireAt');
  if (fields.queryId < 0n || fields.queryId >= 2n ** 64n) invalid(`queryId must be a uint64, got ${fields.queryId}`, 'queryId');
}

/** The payload cell the key manager signs. */
export function buildSignedPublicKeyPayload(fields: SignedPublicKeyFields): Cell {
  checkFields(fields);
  return beginCell()
    .storeUint(ContractOp.rootAddPublicKeySigned, 32)
    .storeUint(fields.queryId, 64)
    .storeUint(hashToBigInt(fields.publicKey, 'publicKey'), 256)
    .storeUint(fields.keyType, 8)
    .storeUint(fields.expireAt, 32)
    .endCell();
}

/** The message body from an existing signature (e.g. relayed, or signed elsewhere). */
export function signedPublicKeyBody(envelope: SignedPublicKeyEnvelope): Cell {
  if (envelope.signature.length !== 64) invalid(`signature must be 64 bytes, got ${envelope.signature.length}`, 'signature');
  return beginCell()
    .storeUint(ContractOp.rootAddPublicKeySigned, 32)
    .storeUint(envelope.queryId, 64)
    .storeAddress(envelope.sendExcessesTo ?? null)
    .storeBuffer(envelope.signature)
    .storeRef(buildSignedPublicKeyPayload(envelope))
    .endCell();
}

/** An Ed25519 secret key as a 64-byte `seed ‖ public key` (@ton/crypto) from either that or the 32-byte seed. */
function secretKey64(secretKey: Uint8Array): Buffer {
  if (secretKey.length === 64) return Buffer.from(secretKey);
  if (secretKey.length === 32) return keyPairFromSeed(Buffer.from(secretKey)).secretKey;
  return invalid(`key manager secret key must be 32 (seed) or 64 bytes, got ${secretKey.length}`, 'keyManagerSecretKey');
}

/**
 * Signs a key registration with the key manager's machine key (the one the root names as
 * key_manager_public_key) and returns the whole message body to send to the root with
 * ADD_PUBLIC_KEY_SIGNED_VALUE_NANOTON.
 */
export function buildSignedPublicKeyBody(
  keyManagerSecretKey: Uint8Array,
  fields: SignedPublicKeyFields & { sendExcessesTo?: Address },
): Cell {
  const payload = buildSignedPublicKeyPayload(fields);
  const signature = sign(payload.hash(), secretKey64(keyManagerSecretKey));
  return signedPublicKeyBody({ ...fields, signature });
}

/** A parsed signed registration body. */
export interface ParsedSignedPublicKey {
  publicKey: string;
  keyType: number;
  expireAt: number;
  queryId: bigint;
  sendExcessesTo: Address | null;
  /** Whether the signature verifies under the given key manager key. */
  signatureValid: boolean;
}

/** Reads a signed registration body and checks its signature the way the root does (op and query id must match too). */
export function readSignedPublicKeyBody(body: Cell, keyManagerPublicKey: HashInput): ParsedSignedPublicKey {
  try {
    const slice = body.beginParse();
    const op = slice.loadUint(32);
    const queryId = slice.loadUintBig(64);
    const sendExcessesTo = slice.loadMaybeAddress();
    const signature = slice.loadBuffer(64);
    const payloadCell = slice.loadRef();
    slice.endParse();
    const payload = payloadCell.beginParse();
    const payloadOp = payload.loadUint(32);
    const payloadQueryId = payload.loadUintBig(64);
    const publicKey = hashToHex(payload.loadUintBig(256));
    const keyType = payload.loadUint(8);
    const expireAt = payload.loadUint(32);
    payload.endParse();
    if (op !== ContractOp.rootAddPublicKeySigned || payloadOp !== op || payloadQueryId !== queryId) throw new Error('op or query_id mismatch');
    const key = Buffer.from(hashToHex(keyManagerPublicKey, 'keyManagerPublicKey'), 'hex');
    return { publicKey, keyType, expireAt, queryId, sendExcessesTo, signatureValid: signVerify(payloadCell.hash(), signature, key) };
  } catch (error) {
    if (error instanceof CocoonError) throw error;
    throw new CocoonError('CCN_ERR_TON_CONTRACT_MISMATCH', `malformed root_add_public_key_signed body: ${(error as Error).message}`, { cause: error });
  }
}
