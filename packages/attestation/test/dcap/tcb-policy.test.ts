// checkTcbPolicy: which Intel TCB statuses pass (default only UpToDate) and, when an advisory
// allow-list is set, that every advisory of an accepted platform is on it.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_ALLOWED_TCB_STATUSES, checkTcbPolicy, type TcbPolicy } from '../../src/index.ts';
import { isCode } from './dcap-fixtures.ts';

const STATUSES = ['UpToDate', 'SWHardeningNeeded', 'ConfigurationNeeded', 'ConfigurationAndSWHardeningNeeded', 'OutOfDate', 'OutOfDateConfigurationNeeded', 'Revoked'];

describe('checkTcbPolicy', () => {
  test('the default allows UpToDate only', () => {
    assert.deepEqual(DEFAULT_ALLOWED_TCB_STATUSES, ['UpToDate']);
    for (const status of STATUSES) {
      if (status === 'UpToDate') assert.doesNotThrow(() => checkTcbPolicy(status, []));
      else assert.throws(() => checkTcbPolicy(status, []), isCode('CCN_ERR_ATTEST_TCB_STATUS', new RegExp(`^TCB status ${status} not allowed \\(allowed: UpToDate\\)$`)));
    }
  });

  const cases: Array<[string, string, string[], TcbPolicy, RegExp | undefined]> = [
    ['an explicitly allowed status', 'SWHardeningNeeded', ['INTEL-SA-00615'], { allowedStatuses: ['UpToDate', 'SWHardeningNeeded'] }, undefined],
    ['a status outside an explicit list', 'OutOfDate', [], { allowedStatuses: ['UpToDate', 'SWHardeningNeeded'] }, /allowed: UpToDate, SWHardeningNeeded/],
    ['anything under an empty status list', 'UpToDate', [], { allowedStatuses: [] }, /not allowed \(allowed: none\)/],
    ['status names compared exactly (case)', 'uptodate', [], {}, /TCB status uptodate not allowed/],
    ['advisories all on the allow-list', 'SWHardeningNeeded', ['INTEL-SA-00615', 'INTEL-SA-00828'], { allowedStatuses: ['SWHardeningNeeded'], allowedAdvisoryIds: ['INTEL-SA-00828', 'INTEL-SA-00615'] }, undefined],
    ['an advisory missing from the allow-list, named', 'SWHardeningNeeded', ['INTEL-SA-00615', 'INTEL-SA-00999', 'INTEL-SA-01000'], { allowedStatuses: ['SWHardeningNeeded'], allowedAdvisoryIds: ['INTEL-SA-00615'] }, /carries advisories not allowed by policy: INTEL-SA-00999, INTEL-SA-01000$/],
    ['any advisory under an empty allow-list', 'UpToDate', ['INTEL-SA-00001'], { allowedAdvisoryIds: [] }, /INTEL-SA-00001/],
    ['no advisories under an empty allow-list', 'UpToDate', [], { allowedAdvisoryIds: [] }, undefined],
    ['advisories ignored without an allow-list', 'UpToDate', ['INTEL-SA-00001'], {}, undefined],
    ['the status checked before the advisories', 'Revoked', ['INTEL-SA-00001'], { allowedAdvisoryIds: [] }, /TCB status Revoked not allowed/],
  ];
  for (const [what, status, advisories, policy, refusal] of cases) {
    test(refusal ? `refuses ${what}` : `accepts ${what}`, () => {
      if (refusal) assert.throws(() => checkTcbPolicy(status, advisories, policy), isCode('CCN_ERR_ATTEST_TCB_STATUS', refusal));
      else assert.doesNotThrow(() => checkTcbPolicy(status, advisories, policy));
    });
  }
});
