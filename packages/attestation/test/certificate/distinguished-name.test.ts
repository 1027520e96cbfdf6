// formatDistinguishedName: X.509 names rendered as `C=AE, ST=DUBAI, …` by our strict DER reader,
// including string types, unknown attributes, multi-valued RDNs, and refusal of malformed names.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CocoonError } from '@cocoon/protocol';
import { RA_TLS_CERTIFICATE_NAME, formatDistinguishedName, readCertificate } from '../../src/index.ts';
import { derObjectIdentifier, derSequence } from '../../src/simulated/der-writer.ts';
import { plainCertificate } from '../support/test-certificates.ts';

const tlv = (tag: number, content: Buffer): Buffer => Buffer.concat([Buffer.from([tag, content.length]), content]);
const attribute = (oid: string, value: Buffer | undefined): Buffer => derSequence([derObjectIdentifier(oid), ...(value ? [value] : [])]);
const utf8 = (text: string): Buffer => tlv(0x0c, Buffer.from(text, 'utf8'));
const rdn = (...attributes: Buffer[]): Buffer => tlv(0x31, Buffer.concat(attributes));
const name = (...rdns: Buffer[]): Buffer => derSequence(rdns);

describe('formatDistinguishedName', () => {
  test('renders the RA-TLS subject and issuer exactly as the certificate generator names them', async () => {
    const parsed = readCertificate((await plainCertificate()).certificateDer);
    assert.equal(formatDistinguishedName(parsed.subject), RA_TLS_CERTIFICATE_NAME);
    assert.equal(formatDistinguishedName(parsed.issuer), RA_TLS_CERTIFICATE_NAME);
  });

  const rendered: Array<[string, Buffer, string]> = [
    ['every known short name', name(...[['2.5.4.6', 'AE'], ['2.5.4.8', 'DUBAI'], ['2.5.4.7', 'Dubai'], ['2.5.4.10', 'Org'], ['2.5.4.11', 'Unit'], ['2.5.4.3', 'host'], ['1.2.840.113549.1.9.1', 'a@b.c']]
      .map(([oid, value]) => rdn(attribute(oid!, utf8(value!))))), 'C=AE, ST=DUBAI, L=Dubai, O=Org, OU=Unit, CN=host, E=a@b.c'],
    ['an unknown attribute by its dotted OID', name(rdn(attribute('2.5.4.97', utf8('VATAE-1')))), '2.5.4.97=VATAE-1'],
    ['a multi-valued RDN as separate parts, in order', name(rdn(attribute('2.5.4.3', utf8('a')), attribute('2.5.4.10', utf8('b')))), 'CN=a, O=b'],
    ['UTF-8 text', name(rdn(attribute('2.5.4.3', utf8('Zürich ✓')))), 'CN=Zürich ✓'],
    ['a PrintableString', name(rdn(attribute('2.5.4.6', tlv(0x13, Buffer.from('AE'))))), 'C=AE'],
    ['a BMPString (tag 0x1e) as UTF-16', name(rdn(attribute('2.5.4.3', tlv(0x1e, Buffer.from('hi', 'utf16le'))))), 'CN=hi'],
    ['an attribute without a value as empty', name(rdn(attribute('2.5.4.3', undefined))), 'CN='],
    ['an empty name as the empty string', name(), ''],
  ];
  for (const [what, der, expected] of rendered) {
    test(`renders ${what}`, () => {
      assert.equal(formatDistinguishedName(der), expected);
    });
  }

  const refused: Array<[string, Buffer, RegExp]> = [
    ['a name that is not a sequence', tlv(0x31, Buffer.alloc(0)), /expected name/],
    ['an RDN that is not a SET', name(derSequence([attribute('2.5.4.3', utf8('x'))])), /expected relative distinguished name/],
    ['an attribute that is not a sequence', name(rdn(utf8('x'))), /expected attribute/],
    ['an attribute type that is not an OID', name(rdn(derSequence([utf8('CN'), utf8('x')]))), /expected attribute type/],
    ['a value running past the name', Buffer.from('300631043002060a', 'hex'), /runs past its container/],
    ['an empty buffer', Buffer.alloc(0), /truncated element header/],
  ];
  for (const [what, der, pattern] of refused) {
    test(`refuses ${what}`, () => {
      assert.throws(() => formatDistinguishedName(der), (error: unknown) =>
        error instanceof CocoonError && error.code === 'CCN_ERR_ATTEST_BAD_CERTIFICATE' && pattern.test(error.message));
    });
  }
});
