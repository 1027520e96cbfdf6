/** The committed compiled proxy/client/worker artifacts must match their Tolk sources. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileContract, loadContractCode } from '../../src/contracts/contract-compiler.ts';

for (const name of ['proxy', 'client', 'worker'] as const) {
  test(`compiled ${name} artifact is current`, async () => {
    const compiled = await compileContract(name);
    assert.equal(loadContractCode(name).hash().toString('hex'), compiled.codeHashHex,
      `stale contracts/compiled/${name}.json: run node --import tsx packages/ton/scripts/compile-contracts.ts ${name}`);
  });
}
