/** The proxy config's market_* keys (§4.4): defaults, strict checks naming the key, and the settings they make. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { marketSettingsOfConfig, proxyConfigSchema } from '../../src/config/index.ts';
import { DEFAULT_MARKET_SETTINGS } from '../../src/routing/index.ts';

test('defaults are the documented weights; each key maps to its setting', () => {
  assert.deepEqual(marketSettingsOfConfig(proxyConfigSchema.parse({})), DEFAULT_MARKET_SETTINGS);
  const settings = marketSettingsOfConfig(proxyConfigSchema.parse({ market_price_weight: 0, market_failure_cooldown_ms: 0, market_reliability_half_life_ms: 60_000 }));
  assert.equal(settings.priceWeight, 0);
  assert.equal(settings.failureCooldownMs, 0);
  assert.equal(settings.reliabilityHalfLifeMs, 60_000);
});

test('bad values and unknown market keys are refused, naming the key', () => {
  for (const [key, value] of [['market_price_weight', -1], ['market_latency_reference_ms', 0], ['market_failure_cooldown_ms', 1.5], ['market_load_weight', 'x']] as const) {
    const result = proxyConfigSchema.safeParse({ [key]: value });
    assert.equal(result.success, false, key);
    assert.deepEqual(result.error!.issues[0]!.path, [key]);
  }
  const unknown = proxyConfigSchema.safeParse({ market_magic_weight: 1 });
  assert.equal(unknown.success, false);
  assert.match(JSON.stringify(unknown.error!.issues), /market_magic_weight/);
});
