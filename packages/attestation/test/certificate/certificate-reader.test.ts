// readCertificate on hand-built DER: which fields it reads (v1 and v3 layouts, extensions with and
// without the critical flag) and how it refuses each malformed part with CCN_ERR_ATTEST_BAD_CERTIFICATE.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { CocoonError } from '@cocoon/protocol';
import { CertificateOid, findExtension, readCertificate, readEd25519PublicKey } from '../../src/index.ts';
import { derInteger, derObjectIdentifier, derOctetString, derSequence } from '../../src/simulated/der-writer.ts';
import { plainCertificate } from '../support/test-certificates.ts';

const tlv = (tag: number, content: Buffer): Buffer => {
  if (content.length < 0x80) return Buffer.concat([Buffer.from([tag, content.length]), content]);
  return Buffer.concat([Buffer.from([tag, 0x82, content.length >> 8, content.length & 0xff]), content]);
};
const bitString = (bytes: Buffer, unusedBits = 0): Buffer => tlv(0x03, Buffer.concat([Buffer.from([unusedBits]), bytes]));
const utcTime = (text: string): Buffer => tlv(0x17, Buffer.from(text, 'latin1'));
const booleanOf = (...bytes: number[]): Buffer => tlv(0x01, Buffer.from(bytes));
const algorithm = (oid: string): Buffer => derSequence([derObjectIdentifier(oid)]);
const name = (commonName: string): Buffer =>
  derSequence([tlv(0x31, derSequence([derObjectIdentifier('2.5.4.3'), tlv(0x0c, Buffer.from(commonName))]))]);
const extension = (oid: string, ...rest: Buffer[]): Buffer => derSequence([derObjectIdentifier(oid), ...rest]);

const KEY = Buffer.alloc(32, 0x11);
const SIGNATURE = Buffer.alloc(64, 0x22);

interface Parts {
  version?: Buffer | null;
  tbsAlgorithm?: Buffer;
  validity?: Buffer;
  spki?: Buffer;
  extraFields?: Buffer[];
  extensions?: Buffer[] | null;
  signatureAlgorithm?: Buffer;
  signature?: Buffer;
  truncateTbsAfter?: number;
}

/** A certificate shaped like an RA-TLS one; each part can be replaced to make it malformed. */
function certificate(parts: Parts = {}): Buffer {
  const fields = [
    ...(parts.version === null ? [] : [parts.version ?? tlv(0xa0, derInteger(2))]),
    derInteger(12345),
    parts.tbsAlgorithm ?? algorithm(CertificateOid.ed25519),
    name('issuer'),
    parts.validity ?? derSequence([utcTime('260101000000Z'), utcTime('260102000000Z')]),
    name('subject'),
    parts.spki ?? derSequence([algorithm(CertificateOid.ed25519), bitString(KEY)]),
    ...(parts.extraFields ?? []),
    ...(parts.extensions === null ? [] : [tlv(0xa3, derSequence(parts.extensions ?? [extension(CertificateOid.keyUsage, booleanOf(0xff), derOctetString(Buffer.from([3, 2, 7, 0x80])))]))]),
  ];
  const tbs = derSequence(parts.truncateTbsAfter === undefined ? fields : fields.slice(0, parts.truncateTbsAfter));
  return derSequence([tbs, parts.signatureAlgorithm ?? algorithm(CertificateOid.ed25519), parts.signature ?? bitString(SIGNATURE)]);
}

const malformed = (pattern: RegExp) => (error: unknown): boolean =>
  error instanceof CocoonError && error.code === 'CCN_ERR_ATTEST_BAD_CERTIFICATE' && pattern.test(error.message);

describe('readCertificate fields', () => {
  test('reads every field of a v3 certificate', () => {
    const der = certificate({
      extensions: [
        extension(CertificateOid.keyUsage, booleanOf(0xff), derOctetString(Buffer.from([3, 2, 7, 0x80]))),
        extension(CertificateOid.tdxUserClaims, derOctetString(KEY)),
        extension('1.2.3.4', booleanOf(0x00), derOctetString(Buffer.from('x'))),
      ],
    });
    const parsed = readCertificate(der);
    assert.equal(parsed.signatureAlgorithmOid, CertificateOid.ed25519);
    assert.equal(parsed.tbsSignatureAlgorithmOid, CertificateOid.ed25519);
    assert.equal(parsed.publicKeyAlgorithmOid, CertificateOid.ed25519);
    assert.deepEqual(parsed.publicKey, KEY);
    assert.deepEqual(parsed.signature, SIGNATURE);
    assert.deepEqual(parsed.issuer, name('issuer'));
    assert.deepEqual(parsed.subject, name('subject'));
    assert.equal(parsed.notBefore.toISOString(), '2026-01-01T00:00:00.000Z');
    assert.equal(parsed.notAfter.toISOString(), '2026-01-02T00:00:00.000Z');
    assert.deepEqual(parsed.subjectPublicKeyInfo, derSequence([algorithm(CertificateOid.ed25519), bitString(KEY)]));
    assert.deepEqual(parsed.extensions.map((entry) => [entry.oid, entry.critical]), [
      [CertificateOid.keyUsage, true], [CertificateOid.tdxUserClaims, false], ['1.2.3.4', false],
    ]);
    assert.deepEqual(findExtension(parsed, CertificateOid.tdxUserClaims)?.value, KEY);
    assert.equal(findExtension(parsed, CertificateOid.tdxQuote), undefined);
    assert.deepEqual(readEd25519PublicKey(der), KEY);
  });

  test('a v1 certificate (no version, no extensions) reads with an empty extension list', () => {
    const parsed = readCertificate(certificate({ version: null, extensions: null }));
    assert.deepEqual(parsed.extensions, []);
    assert.deepEqual(parsed.publicKey, KEY);
  });

  test('issuer/subject unique ids before the extensions are skipped', () => {
    const parsed = readCertificate(certificate({ extraFields: [tlv(0x81, Buffer.from([0, 1])), tlv(0x82, Buffer.from([0, 2]))] }));
    assert.deepEqual(parsed.extensions.map((entry) => entry.oid), [CertificateOid.keyUsage]);
  });

  test('a node X509Certificate reads the same as its DER', async () => {
    const { certificateDer } = await plainCertificate();
    assert.deepEqual(readCertificate(new X509Certificate(certificateDer)), readCertificate(certificateDer));
  });
});

describe('readCertificate refusals', () => {
  const cases: Array<[string, () => Buffer, RegExp]> = [
    ['not a sequence', () => derOctetString(Buffer.alloc(4)), /expected certificate sequence/],
    ['a tbsCertificate that is not a sequence', () => derSequence([derInteger(1), algorithm(CertificateOid.ed25519), bitString(SIGNATURE)]), /expected tbsCertificate/],
    ['no serial number', () => certificate({ version: tlv(0xa0, derInteger(2)), truncateTbsAfter: 1 }), /expected serial number/],
    ['a tbsCertificate cut after the issuer', () => certificate({ truncateTbsAfter: 4 }), /expected validity/],
    ['a validity without its end', () => certificate({ validity: derSequence([utcTime('260101000000Z')]) }), /expected a time/],
    ['a validity with a bad time', () => certificate({ validity: derSequence([utcTime('2601010000Z'), utcTime('260102000000Z')]) }), /bad time/],
    ['an algorithm identifier without an OID', () => certificate({ tbsAlgorithm: derSequence([derInteger(1)]) }), /expected algorithm object identifier/],
    ['an empty outer algorithm identifier', () => certificate({ signatureAlgorithm: derSequence([]) }), /expected algorithm object identifier/],
    ['a signature with unused bits', () => certificate({ signature: bitString(SIGNATURE, 3) }), /signature has unused bits/],
    ['an empty signature bit string', () => certificate({ signature: tlv(0x03, Buffer.alloc(0)) }), /signature has unused bits/],
    ['a signature that is an octet string', () => certificate({ signature: derOctetString(SIGNATURE) }), /expected signature/],
    ['a public key with unused bits', () => certificate({ spki: derSequence([algorithm(CertificateOid.ed25519), bitString(KEY, 1)]) }), /public key has unused bits/],
    ['a two-byte critical flag', () => certificate({ extensions: [extension(CertificateOid.keyUsage, booleanOf(0xff, 0xff), derOctetString(Buffer.alloc(1)))] }), /bad critical flag/],
    ['an extension value that is not an octet string', () => certificate({ extensions: [extension(CertificateOid.keyUsage, booleanOf(0xff), derInteger(1))] }), /expected extension value/],
    ['an extension without a value', () => certificate({ extensions: [extension(CertificateOid.keyUsage)] }), /expected extension value/],
    ['an extension with an extra field', () => certificate({ extensions: [extension('1.2.3', derOctetString(Buffer.alloc(1)), derOctetString(Buffer.alloc(1)))] }), /extension 1\.2\.3 has extra fields/],
    ['an extension whose id is not an OID', () => certificate({ extensions: [derSequence([derInteger(5), derOctetString(Buffer.alloc(1))])] }), /expected extension id/],
    ['an extension list that is not a sequence', () => Buffer.from(certificate({ extensions: [] }).toString('hex').replace('a3023000', 'a3020400'), 'hex'), /expected extension list/],
  ];
  for (const [name, build, pattern] of cases) {
    test(`refuses ${name}`, () => {
      assert.throws(() => readCertificate(build()), malformed(pattern));
    });
  }

  test('every truncation of a real certificate is refused, never misread', async () => {
    const { certificateDer } = await plainCertificate();
    for (let length = 0; length < certificateDer.length; length += 7) {
      assert.throws(() => readCertificate(certificateDer.subarray(0, length)), malformed(/./), `truncated to ${length} bytes`);
    }
  });

  test('readEd25519PublicKey refuses an Ed25519 OID carrying a key of the wrong length', () => {
    const der = certificate({ spki: derSequence([algorithm(CertificateOid.ed25519), bitString(Buffer.alloc(31))]) });
    assert.equal(readCertificate(der).publicKey.length, 31);
    assert.throws(() => readEd25519PublicKey(der), malformed(/not Ed25519 \(algorithm 1\.3\.101\.112\)/));
  });
});
