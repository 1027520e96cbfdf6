// The Intel SGX PCK certificate extension of the simulated platform: the DER layout DCAP
// verifiers read (PPID, 16 TCB components + PCESVN + CPUSVN, PCE-ID, FMSPC, SGX type).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DerTag, decodeObjectIdentifier, readDerChildren, readDerElement, type DerElement } from '../../src/certificate/der-reader.ts';
import { DevPlatform } from '../../src/simulated/dev-platform.ts';
import { SGX_EXTENSION_OID, encodeSgxPckExtension, type SgxPckExtensionFields } from '../../src/simulated/sgx-pck-extension.ts';

const FIELDS: SgxPckExtensionFields = {
  ppid: Buffer.alloc(16, 0x0a), cpuSvn: Buffer.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]), pceSvn: 13,
  pceId: Buffer.from('0000', 'hex'), fmspc: Buffer.from('00C0C0DE0000', 'hex'),
};

/** The extension as a map from OID to its value element. */
const entries = (sequence: DerElement): Map<string, DerElement> =>
  new Map(readDerChildren(sequence).map((entry) => {
    const [oid, value] = readDerChildren(entry);
    return [decodeObjectIdentifier(oid!), value!];
  }));

describe('encodeSgxPckExtension', () => {
  test('lays out PPID, TCB, PCE-ID, FMSPC and SGX type under the SGX OID, in order', () => {
    const top = readDerElement(encodeSgxPckExtension(FIELDS), 0);
    const fields = entries(top);
    assert.deepEqual([...fields.keys()], [1, 2, 3, 4, 5].map((index) => `${SGX_EXTENSION_OID}.${index}`));
    assert.deepEqual(fields.get(`${SGX_EXTENSION_OID}.1`)?.value, FIELDS.ppid);
    assert.deepEqual(fields.get(`${SGX_EXTENSION_OID}.3`)?.value, FIELDS.pceId);
    assert.deepEqual(fields.get(`${SGX_EXTENSION_OID}.4`)?.value, FIELDS.fmspc);
    const sgxType = fields.get(`${SGX_EXTENSION_OID}.5`)!;
    assert.deepEqual([sgxType.tag, [...sgxType.value]], [0x0a, [0]], 'SGX type is ENUMERATED 0 (Standard) by default');
  });

  test('the TCB holds the 16 component SVNs, then PCESVN, then CPUSVN', () => {
    const tcb = entries(readDerElement(encodeSgxPckExtension(FIELDS), 0)).get(`${SGX_EXTENSION_OID}.2`)!;
    const components = entries(tcb);
    assert.equal(components.size, 18);
    for (let index = 1; index <= 16; index++) {
      const svn = components.get(`${SGX_EXTENSION_OID}.2.${index}`)!;
      assert.equal(svn.tag, DerTag.integer);
      assert.equal(svn.value.readUIntBE(0, svn.value.length), FIELDS.cpuSvn[index - 1], `component ${index}`);
    }
    assert.equal(components.get(`${SGX_EXTENSION_OID}.2.17`)!.value.readUIntBE(0, 1), 13);
    assert.deepEqual(components.get(`${SGX_EXTENSION_OID}.2.18`)!.value, FIELDS.cpuSvn);
  });

  test('a component SVN of 128 or more stays a positive integer; the SGX type can be set', () => {
    const high = { ...FIELDS, cpuSvn: Buffer.alloc(16, 200), pceSvn: 300, sgxType: 1 };
    const fields = entries(readDerElement(encodeSgxPckExtension(high), 0));
    const components = entries(fields.get(`${SGX_EXTENSION_OID}.2`)!);
    assert.deepEqual([...components.get(`${SGX_EXTENSION_OID}.2.1`)!.value], [0, 200]);
    assert.deepEqual([...components.get(`${SGX_EXTENSION_OID}.2.17`)!.value], [1, 44]);
    assert.deepEqual([...fields.get(`${SGX_EXTENSION_OID}.5`)!.value], [1]);
  });

  test('the dev platform identity encodes', () => {
    const encoded = encodeSgxPckExtension({ ppid: DevPlatform.ppid, cpuSvn: DevPlatform.cpuSvn, pceSvn: DevPlatform.pceSvn, pceId: DevPlatform.pceId, fmspc: DevPlatform.fmspc });
    assert.deepEqual(entries(readDerElement(encoded, 0)).get(`${SGX_EXTENSION_OID}.4`)?.value, DevPlatform.fmspc);
  });

  test('a CPUSVN other than 16 bytes or an FMSPC other than 6 bytes is refused', () => {
    assert.throws(() => encodeSgxPckExtension({ ...FIELDS, cpuSvn: Buffer.alloc(15) }), { name: 'RangeError', message: 'CPUSVN must be 16 bytes' });
    assert.throws(() => encodeSgxPckExtension({ ...FIELDS, fmspc: Buffer.alloc(7) }), { name: 'RangeError', message: 'FMSPC must be 6 bytes' });
  });
});
