// DevAttestationAuthority: the validity windows it issues (certificates, collateral), the PCK
// chain order quotes embed, collateral renewal keeping the root, and load() refusing broken directories.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { copyFile, mkdtemp, rm, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DEV_PCK_NAME, DEV_PLATFORM_CA_NAME, DEV_ROOT_NAME, DevAttestationAuthority, readCollateralValidity,
} from '../../src/index.ts';
import { collateralPckCaType } from '../../src/dcap/dcap-collateral.ts';

const DAY_MS = 86_400_000;
const NOW = new Date('2026-05-10T08:30:15.750Z');
const NOW_SECONDS = new Date('2026-05-10T08:30:15.000Z');
const certificates = (pem: string): X509Certificate[] => (pem.match(/-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/g) ?? []).map((block) => new X509Certificate(block));
const commonName = (distinguishedName: string): string => /CN=([^,\n]+)/.exec(distinguishedName)?.[1] ?? '';

describe('DevAttestationAuthority', () => {
  let authority: DevAttestationAuthority;
  let directory: string;
  before(async () => {
    authority = await DevAttestationAuthority.generate({ now: NOW, collateralValidityDays: 10, certificateValidityDays: 20 });
    directory = await mkdtemp(join(tmpdir(), 'cocoon-dev-authority-'));
  });
  after(() => rm(directory, { recursive: true, force: true }));

  test('collateral is valid from now (whole seconds) for the given days, for the dev platform', () => {
    const validity = readCollateralValidity(authority.collateral);
    assert.equal(validity.notBefore.toISOString(), NOW_SECONDS.toISOString());
    assert.equal(validity.expiresAt.getTime(), NOW_SECONDS.getTime() + 10 * DAY_MS);
    assert.deepEqual([validity.fmspc, validity.teeId], ['00C0C0DE0000', 'TDX']);
    assert.equal(collateralPckCaType(authority.collateral), 'platform');
  });

  test('certificates are valid for the given days and the PCK chain runs leaf, platform CA, root', () => {
    const chain = certificates(authority.pckCertificateChainPem);
    assert.deepEqual(chain.map((certificate) => commonName(certificate.subject)), [DEV_PCK_NAME, DEV_PLATFORM_CA_NAME, DEV_ROOT_NAME].map(commonName));
    assert.ok(chain[0]!.verify(chain[1]!.publicKey), 'the PCK leaf is signed by the platform CA');
    assert.ok(chain[1]!.verify(chain[2]!.publicKey), 'the platform CA is signed by the root');
    assert.equal(chain[0]!.ca, false);
    for (const certificate of chain) {
      assert.equal(new Date(certificate.validTo).getTime() - new Date(certificate.validFrom).getTime(), 20 * DAY_MS);
      assert.equal(new Date(certificate.validFrom).toISOString(), NOW_SECONDS.toISOString());
    }
    assert.deepEqual(chain[2]!.raw, authority.rootCertificateDer);
  });

  test('renewCollateral keeps the root and chain and issues a new window; the default is 365 days', async () => {
    const later = new Date(NOW.getTime() + 30 * DAY_MS);
    const renewed = await authority.renewCollateral(later);
    assert.deepEqual(renewed.rootCertificateDer, authority.rootCertificateDer);
    assert.equal(renewed.pckCertificateChainPem, authority.pckCertificateChainPem);
    const validity = readCollateralValidity(renewed.collateral);
    assert.equal(validity.notBefore.getTime(), Math.floor(later.getTime() / 1000) * 1000);
    assert.equal(validity.expiresAt.getTime() - validity.notBefore.getTime(), 365 * DAY_MS);
    assert.notEqual(renewed.collateral.tcb_info_signature, authority.collateral.tcb_info_signature);
  });

  test('load refuses a key that does not belong to its certificate', async () => {
    const broken = join(directory, 'mismatched');
    await authority.save(broken);
    await copyFile(join(broken, 'tcb-signing.key'), join(broken, 'pck.key'));
    await assert.rejects(DevAttestationAuthority.load(broken), { code: 'CCN_ERR_CONFIG_INVALID', message: 'dev attestation authority: pck.key does not match pck.pem' });
  });

  test('load names the missing file', async () => {
    const incomplete = join(directory, 'incomplete');
    await authority.save(incomplete);
    await unlink(join(incomplete, 'collateral.json'));
    await assert.rejects(DevAttestationAuthority.load(incomplete), { code: 'CCN_ERR_CONFIG_INVALID', message: `dev attestation authority file ${join(incomplete, 'collateral.json')} is missing or unreadable` });
  });

  test('saving twice over the same directory overwrites it and still loads', async () => {
    const target = join(directory, 'twice');
    await authority.save(target);
    const other = await DevAttestationAuthority.generate({ now: NOW });
    await other.save(target);
    assert.deepEqual((await DevAttestationAuthority.load(target)).rootCertificateDer, other.rootCertificateDer);
  });
});
