/**
 * The CocoonParams codec (§6.1): version 3–5 round trips (the version is kept: contract addresses
 * derive from the cell), hand-built cells of struct versions 0–2 (fields appear by version, missing
 * multipliers read as 1×, missing stakes as 0), refusal of unknown struct versions and truncated
 * cells, and the code-stripped copies the contracts store.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { beginCell, type Builder, type Cell } from '@ton/core';
import { isCocoonError, MULTIPLIER_ONE } from '@cocoon/protocol';
import {
  devCocoonParams, loadCocoonParams, paramsForProxy, paramsWithoutCode, PARAMS_STRUCT_VERSION, storeCocoonParams, type CocoonParams,
} from '../../src/params/cocoon-params.ts';

const code = (name: string): Cell => beginCell().storeStringTail(`${name} code`).endCell();
const codes = { proxyCode: code('proxy'), workerCode: code('worker'), clientCode: code('client') };

const sample: CocoonParams = {
  structVersion: PARAMS_STRUCT_VERSION, paramsVersion: 0xffff_ffff, uniqueId: 42, isTest: false,
  pricePerToken: 123_456_789_012n, workerFeePerToken: 98_765n,
  promptTokensPriceMultiplier: 5000, cachedTokensPriceMultiplier: 2500, completionTokensPriceMultiplier: 20_000, reasoningTokensPriceMultiplier: 30_000,
  proxyDelayBeforeClose: 86_400, clientDelayBeforeClose: 3600, minProxyStake: 10n ** 12n, minClientStake: 7n, ...codes,
};

/** Same params with the code cells replaced by their hashes (cells compare by identity). */
function comparable(params: CocoonParams): Record<string, unknown> {
  const hash = (cell: Cell | null) => cell?.hash().toString('hex') ?? null;
  return { ...params, proxyCode: hash(params.proxyCode), workerCode: hash(params.workerCode), clientCode: hash(params.clientCode) };
}

/** The common head of every struct version: struct_version params_version unique_id is_test price fee. */
function head(structVersion: number, builder: Builder = beginCell()): Builder {
  return builder.storeUint(structVersion, 8).storeUint(9, 32).storeUint(13, 32).storeBit(true).storeCoins(20n).storeCoins(19n);
}

function tail(builder: Builder, stakes: boolean): Cell {
  builder.storeUint(600, 32).storeUint(300, 32);
  if (stakes) builder.storeCoins(1000n).storeCoins(2000n);
  return builder.storeMaybeRef(codes.proxyCode).storeMaybeRef(null).storeMaybeRef(codes.clientCode).endCell();
}

function rejectsWith(code: string, pattern: RegExp) {
  return (error: unknown) => isCocoonError(error) && error.code === code && pattern.test(error.message);
}

describe('CocoonParams codec', () => {
  test('version 3 round-trips every field, including uint32 maxima and large coin amounts', () => {
    const read = loadCocoonParams(storeCocoonParams(sample));
    assert.deepEqual(comparable(read), comparable(sample));
    assert.deepEqual(comparable(loadCocoonParams(storeCocoonParams(sample).beginParse())), comparable(sample), 'a Slice reads the same');
  });

  test('absent codes stay absent', () => {
    const read = loadCocoonParams(storeCocoonParams({ ...sample, proxyCode: null, workerCode: null, clientCode: null }));
    assert.deepEqual([read.proxyCode, read.workerCode, read.clientCode], [null, null, null]);
  });

  test('writing keeps struct versions 3–5 and lifts older ones to 3; beyond 5 is refused', () => {
    const cell = storeCocoonParams({ ...sample, structVersion: 1 });
    assert.equal(cell.beginParse().loadUint(8), 3);
    assert.equal(loadCocoonParams(cell).structVersion, 3);
    for (const version of [3, 4, 5]) {
      const written = storeCocoonParams({ ...sample, structVersion: version });
      assert.equal(written.beginParse().loadUint(8), version);
      assert.deepEqual(comparable(loadCocoonParams(written)), comparable({ ...sample, structVersion: version }));
    }
    assert.notEqual(storeCocoonParams({ ...sample, structVersion: 4 }).hash().toString('hex'), storeCocoonParams({ ...sample, structVersion: 5 }).hash().toString('hex'));
    for (const bad of [6, -1, 1.5]) {
      assert.throws(() => storeCocoonParams({ ...sample, structVersion: bad }), (error: unknown) => isCocoonError(error) && error.code === 'CCN_ERR_INTERNAL' && (error as { param?: string }).param === 'struct_version');
    }
  });

  const versions: Array<{ version: number; build: () => Cell; expect: Partial<CocoonParams> }> = [
    {
      version: 0,
      build: () => tail(head(0), false),
      expect: {
        promptTokensPriceMultiplier: MULTIPLIER_ONE, cachedTokensPriceMultiplier: MULTIPLIER_ONE,
        completionTokensPriceMultiplier: MULTIPLIER_ONE, reasoningTokensPriceMultiplier: MULTIPLIER_ONE, minProxyStake: 0n, minClientStake: 0n,
      },
    },
    {
      version: 1,
      build: () => tail(head(1), true),
      expect: { promptTokensPriceMultiplier: MULTIPLIER_ONE, cachedTokensPriceMultiplier: MULTIPLIER_ONE, minProxyStake: 1000n, minClientStake: 2000n },
    },
    {
      version: 2,
      build: () => tail(head(2).storeUint(4000, 32).storeUint(8000, 32), true),
      expect: {
        promptTokensPriceMultiplier: MULTIPLIER_ONE, cachedTokensPriceMultiplier: 4000,
        completionTokensPriceMultiplier: MULTIPLIER_ONE, reasoningTokensPriceMultiplier: 8000, minProxyStake: 1000n,
      },
    },
    {
      version: 3,
      build: () => tail(head(3).storeUint(1, 32).storeUint(2, 32).storeUint(3, 32).storeUint(4, 32), true),
      expect: { promptTokensPriceMultiplier: 1, cachedTokensPriceMultiplier: 2, completionTokensPriceMultiplier: 3, reasoningTokensPriceMultiplier: 4 },
    },
  ];
  for (const { version, build, expect } of versions) {
    test(`reads struct version ${version} with its fields in their places`, () => {
      const read = loadCocoonParams(build());
      assert.equal(read.structVersion, version);
      assert.deepEqual(
        [read.paramsVersion, read.uniqueId, read.isTest, read.pricePerToken, read.workerFeePerToken, read.proxyDelayBeforeClose, read.clientDelayBeforeClose],
        [9, 13, true, 20n, 19n, 600, 300],
      );
      for (const [key, value] of Object.entries(expect)) assert.equal(read[key as keyof CocoonParams], value, key);
      assert.ok(read.proxyCode?.equals(codes.proxyCode));
      assert.equal(read.workerCode, null);
      assert.ok(read.clientCode?.equals(codes.clientCode));
    });
  }

  test('an old cell re-encoded as version 3 keeps its meaning', () => {
    const old = loadCocoonParams(tail(head(0), false));
    const again = loadCocoonParams(storeCocoonParams(old));
    assert.deepEqual(comparable({ ...again, structVersion: 0 }), comparable(old));
  });

  test('struct version 6 and above are refused by name', () => {
    for (const version of [6, 255]) {
      assert.throws(
        () => loadCocoonParams(tail(head(version).storeUint(1, 32).storeUint(2, 32).storeUint(3, 32).storeUint(4, 32), true)),
        (error: unknown) => rejectsWith('CCN_ERR_TON_CONTRACT_MISMATCH', new RegExp(`struct_version ${version}`))(error) && (error as { param?: string }).param === 'struct_version',
      );
    }
  });

  const truncated: Array<[string, () => Cell]> = [
    ['an empty cell', () => beginCell().endCell()],
    ['only the struct version', () => beginCell().storeUint(3, 8).endCell()],
    ['a version 3 cell without its multipliers', () => tail(head(3), true)],
    ['a version 1 cell without its stakes', () => tail(head(1), false)],
    ['a cell cut before the code refs', () => head(0).storeUint(600, 32).storeUint(300, 32).endCell()],
  ];
  for (const [name, build] of truncated) {
    test(`a malformed params cell (${name}) is CCN_ERR_TON_CONTRACT_MISMATCH`, () => {
      assert.throws(() => loadCocoonParams(build()), rejectsWith('CCN_ERR_TON_CONTRACT_MISMATCH', /malformed params cell/));
    });
  }

  test('the contract copies drop exactly the codes the contracts do not store', () => {
    const client = paramsWithoutCode(sample);
    assert.deepEqual([client.proxyCode, client.workerCode, client.clientCode], [null, null, null]);
    const proxy = paramsForProxy(sample);
    assert.equal(proxy.proxyCode, null);
    assert.ok(proxy.workerCode?.equals(codes.workerCode) && proxy.clientCode?.equals(codes.clientCode));
    assert.deepEqual(comparable({ ...client, ...codes }), comparable(sample), 'nothing but the codes changes');
    assert.ok(sample.proxyCode, 'the input is not modified');
  });

  test('dev params are the §6.8 values', () => {
    const dev = devCocoonParams(codes);
    assert.deepEqual(
      [dev.uniqueId, dev.isTest, dev.pricePerToken, dev.workerFeePerToken, dev.proxyDelayBeforeClose, dev.clientDelayBeforeClose, dev.minProxyStake, dev.minClientStake],
      [13, true, 20n, 19n, 600, 300, 1_000_000_000n, 1_000_000_000n],
    );
    for (const multiplier of [dev.promptTokensPriceMultiplier, dev.cachedTokensPriceMultiplier, dev.completionTokensPriceMultiplier, dev.reasoningTokensPriceMultiplier]) {
      assert.equal(multiplier, MULTIPLIER_ONE);
    }
    assert.deepEqual(comparable(loadCocoonParams(storeCocoonParams(dev))), comparable(dev));
  });
});
