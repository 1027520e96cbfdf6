/**
 * Golden test: every frame captured from the reference implementation decodes (framing, tcp.*,
 * the inner boxed message, the nested http.request/http.response) and re-encodes byte for byte;
 * decoded values are checked against what each frame's note says.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { decodeBoxed, encodeBoxed } from '../../src/tl/index.ts';
import type { TlObject } from '../../src/tl/index.ts';
import { encodeBoxedFrame, encodeFrame } from '../../src/framing/index.ts';
import { loadGoldenStreams } from './reference-data.ts';
import type { GoldenFrame } from './reference-data.ts';

const streams = loadGoldenStreams();
const NESTED_HTTP: Record<string, { field: string; name: string }> = {
  'client.runQueryEx': { field: 'query', name: 'http.request' },
  'proxy.runQueryEx': { field: 'query', name: 'http.request' },
  'client.queryAnswerEx': { field: 'answer', name: 'http.response' },
  'proxy.queryAnswerEx': { field: 'answer', name: 'http.response' },
};

interface DecodedFrame {
  outer: TlObject;
  inner: TlObject | undefined;
  nested: TlObject | undefined;
}

/** Decodes all layers and rebuilds the frame from re-encoded layers, innermost first. */
function decodeAndRebuild(frame: GoldenFrame): { decoded: DecodedFrame; rebuilt: Buffer } {
  const bytes = Buffer.from(frame.hex, 'hex');
  assert.equal(bytes.readUInt32LE(0), frame.size);
  assert.equal(bytes.readUInt32LE(4), frame.seqno);
  const outer = decodeBoxed(bytes.subarray(8));
  assert.equal(outer._, frame.outer);
  let inner: TlObject | undefined;
  let nested: TlObject | undefined;
  let rebuiltOuter: TlObject = outer;
  if (frame.inner !== null) {
    inner = decodeBoxed(outer.data as Buffer);
    assert.equal(inner._, frame.inner);
    let rebuiltInner: TlObject = inner;
    const nestedSpec = NESTED_HTTP[inner._];
    if (nestedSpec) {
      nested = decodeBoxed(inner[nestedSpec.field] as Buffer);
      assert.equal(nested._, nestedSpec.name);
      rebuiltInner = { ...inner, [nestedSpec.field]: encodeBoxed(nested) };
    }
    rebuiltOuter = { ...outer, data: encodeBoxed(rebuiltInner) };
  }
  return { decoded: { outer, inner, nested }, rebuilt: encodeFrame(frame.seqno, encodeBoxed(rebuiltOuter)) };
}

/** Copy of a decoded value with every `flags` field removed, so the encoder must compute them. */
function withoutFlags(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutFlags);
  if (typeof value !== 'object' || value === null || Buffer.isBuffer(value)) return value;
  return Object.fromEntries(Object.entries(value).filter(([key]) => key !== 'flags').map(([key, field]) => [key, withoutFlags(field)]));
}

const field = (object: TlObject | undefined, name: string): unknown => {
  const params = object?.params as TlObject | undefined;
  return object?.[name] !== undefined ? object[name] : params?.[name];
};

/** Checks decoded values against the frame's note; returns how many facts were checked. */
function checkNote(frame: GoldenFrame, { outer, inner, nested }: DecodedFrame): number {
  const note = frame.note;
  let checks = 0;
  const expect = (actual: unknown, expected: unknown, what: string): void => {
    assert.deepEqual(actual, expected, `${frame.outer}/${frame.inner} ${what} (note: ${note})`);
    checks += 1;
  };
  const id = /\bid=(-?\d+)/.exec(note);
  if (id) expect(outer.id, BigInt(id[1] ?? ''), 'tcp id');
  const requestId = /request_id=([0-9a-f]+)…/.exec(note);
  if (requestId) expect((inner?.request_id as Buffer).toString('hex').startsWith(requestId[1] ?? ''), true, 'request_id');
  const numberKeys = /\b(tokens_committed_to_db|tokens_committed_to_blockchain|max_tokens|db_tokens|request_tokens|error_code|max_coefficient|min_config_version|coefficient|timeout|disabled|proxy_cnt|max_active_requests|proto_version|nonce)=(\d+(?:\.\d+)?)/g;
  for (const [, key, value] of note.matchAll(numberKeys)) {
    expect(String(key === 'nonce' ? (field(inner, 'auth') as TlObject).nonce : field(inner, key ?? '')), value, key ?? '');
  }
  for (const [, key, value] of note.matchAll(/\b(is_test|enable_debug|is_disabled)=(True|False)/g)) expect(field(inner, key ?? ''), value === 'True', key ?? '');
  const error = /error="([^"]*)"/.exec(note);
  if (error) expect(inner?.error, error[1], 'error');
  const model = /\bmodel=(?:"([^"]+)"|(\S+))/.exec(note);
  if (model) expect(field(inner, inner?._ === 'client.runQueryEx' ? 'model_name' : 'model'), model[1] ?? model[2], 'model');
  const addresses: Array<[RegExp, string]> = [
    [/\bowner=([^;\s]+)/, inner?._ === 'worker.connectToProxy' ? 'worker_owner_address' : 'client_owner_address'],
    [/proxy_sc=([^;\s]+)/, 'proxy_sc_address'], [/client_sc=([^;\s]+)/, 'client_sc_address'],
    [/worker_sc=([^;\s]+)/, 'worker_sc_address'], [/request_client_owner=([^;\s]+)/, 'request_client_owner'],
  ];
  for (const [pattern, key] of addresses) {
    const match = pattern.exec(note);
    if (match) expect(field(inner, key), match[1], key);
  }
  const payment = inner?.signed_payment as TlObject | undefined;
  const signed = /signedPayment\((\d+)B data\)/.exec(note);
  if (signed) expect([payment?._, (payment?.data as Buffer).length], ['proxy.signedPayment', Number(signed[1])], 'signed payment');
  if (/signedPaymentEmpty/.test(note)) expect(payment?._, 'proxy.signedPaymentEmpty', 'empty signed payment');
  const flags = /\bflags=(\d+)/.exec(note);
  if (flags && inner) {
    const holder = (inner.params ?? (inner._ === 'client.workerTypesV2' ? ((inner.types as TlObject[])[0]?.workers as TlObject[])[0] : inner)) as TlObject;
    expect(holder.flags, Number(flags[1]), 'flags');
  }
  const finalInfo = inner?.final_info as TlObject | undefined;
  const finalFlags = /final_info\(bare\) flags=(\d+)/.exec(note);
  if (finalFlags) expect(finalInfo?.flags, Number(finalFlags[1]), 'final_info.flags');
  if (finalFlags === null && inner && 'flags' in inner && /answer|Error|Part/.test(inner._)) expect(finalInfo, undefined, 'no final_info');
  const tokens = /tokens\(prompt=(\d+) cached=(\d+) completion=(\d+) reasoning=(\d+) total=(\d+)\)/.exec(note);
  if (tokens) {
    const used = finalInfo?.tokens_used as TlObject;
    expect([used.prompt_tokens_used, used.cached_tokens_used, used.completion_tokens_used, used.reasoning_tokens_used, used.total_tokens_used], tokens.slice(1).map(BigInt), 'tokens');
  }
  const timings = /\+(\d) timing doubles/.exec(note);
  if (timings) expect(Object.keys(finalInfo ?? {}).filter((key) => key.endsWith('_time')).length, Number(timings[1]), 'timings');
  if (/bare tokensUsed \(all 0\)/.test(note)) expect(Object.values(inner?.request_tokens_used as TlObject).slice(1), [0n, 0n, 0n, 0n, 0n], 'legacy tokens');
  const chunk = /raw body chunk (\d+)B/.exec(note);
  if (chunk) expect((inner?.answer as Buffer).length, Number(chunk[1]), 'body chunk length');
  if (/proto 1\.\.2/.test(note)) expect([field(inner, 'min_proto_version'), field(inner, 'max_proto_version')], [1, 2], 'proto range');
  if (/secret_hash=SHA256\(""\)/.test(note)) {
    const auth = inner?.auth as TlObject;
    expect([auth._, (auth.secret_hash as Buffer).toString('hex')], ['client.proxyConnectionAuthShort', createHash('sha256').update('').digest('hex')], 'auth');
  }
  const instance = /(\S+): instance\(bare\) flags=\d+ coef=(\d+) active=(\d+) max=(\d+)/.exec(note);
  if (instance) {
    const type = (inner?.types as TlObject[])[0];
    const worker = (type?.workers as TlObject[])[0];
    expect([type?.name, worker?.coefficient, worker?.active_requests, worker?.max_active_requests], [instance[1], ...instance.slice(2).map(Number)], 'worker types');
  }
  if (/0-length bytes/.test(note)) expect((inner?.data as Buffer).length, 0, 'empty secret');
  const request = /http\.request (\S+) (\S+) (HTTP\/1\.1), (\d+) headers.*?body (\d+)B/.exec(note);
  if (request) {
    expect([nested?.method, nested?.url, nested?.http_version, (nested?.headers as TlObject[]).length, (nested?.payload as Buffer).length],
      [request[1], request[2], request[3], Number(request[4]), Number(request[5])], 'http.request');
    expect((nested?.headers as TlObject[]).every((header) => header._ === 'http.header' && typeof header.name === 'string'), true, 'headers');
  }
  const response = /http\.response (HTTP\/1\.1) (\d+) (\w+), (\d+) headers, payload (\d+)B/.exec(note);
  if (response) {
    expect([nested?.http_version, nested?.status_code, nested?.reason, (nested?.headers as TlObject[]).length, (nested?.payload as Buffer).length],
      [response[1], Number(response[2]), response[3], Number(response[4]), Number(response[5])], 'http.response');
  }
  return checks;
}

describe('golden frames from the reference implementation', () => {
  const allFrames = Object.values(streams).flat();

  test('the capture holds the 4 streams and 256 frames', () => {
    assert.deepEqual(Object.keys(streams).sort(), ['client<->proxy', 'client<->proxy_run1', 'worker<->proxy', 'worker<->proxy_run1']);
    assert.equal(allFrames.length, 256);
  });

  for (const [streamName, frames] of Object.entries(streams)) {
    test(`${streamName}: every frame decodes and re-encodes byte for byte`, () => {
      for (const frame of frames) {
        const { decoded, rebuilt } = decodeAndRebuild(frame);
        assert.equal(rebuilt.toString('hex'), frame.hex, `${frame.dir} #${frame.seqno} ${frame.outer}/${frame.inner}`);
        const outerPayload = Buffer.from(frame.hex, 'hex').subarray(8);
        assert.deepEqual(encodeBoxedFrame(frame.seqno, decoded.outer), Buffer.from(frame.hex, 'hex'));
        if (decoded.inner) {
          const recomputed = encodeBoxed(withoutFlags(decoded.inner) as TlObject);
          assert.deepEqual(recomputed, decoded.outer.data, `computed flags for ${frame.inner}`);
        }
        assert.ok(outerPayload.length >= 4);
      }
    });

    test(`${streamName}: decoded values match the notes`, () => {
      let checks = 0;
      for (const frame of frames) {
        const frameChecks = checkNote(frame, decodeAndRebuild(frame).decoded);
        if (!/no fields/.test(frame.note)) assert.ok(frameChecks > 0, `nothing checked for: ${frame.note}`);
        checks += frameChecks;
      }
      assert.ok(checks >= frames.length);
    });
  }

  test('specific values: model, coefficient 1000, 134 tokens, flags', () => {
    const worker = streams['worker<->proxy'] ?? [];
    const connect = decodeBoxed(decodeBoxed(Buffer.from(worker.find((frame) => frame.inner === 'worker.connectToProxy')?.hex ?? '', 'hex').subarray(8)).data as Buffer);
    const params = connect.params as TlObject;
    assert.equal(params.flags, 3);
    assert.equal(params.coefficient, 1000);
    assert.match(params.model as string, /^Qwen\/Qwen3-8B@abc123def456:0{64}$/);
    const runQuery = worker.find((frame) => frame.inner === 'proxy.runQueryEx');
    const proxyRun = decodeBoxed(decodeBoxed(Buffer.from(runQuery?.hex ?? '', 'hex').subarray(8)).data as Buffer);
    assert.equal(proxyRun.coefficient, 1000n);
    assert.equal(proxyRun.enable_debug, false);
    const last = worker.find((frame) => frame.inner === 'proxy.queryAnswerPartEx' && /total=134/.test(frame.note));
    const part = decodeBoxed(decodeBoxed(Buffer.from(last?.hex ?? '', 'hex').subarray(8)).data as Buffer);
    assert.equal(part.flags, 1);
    const finalInfo = part.final_info as TlObject;
    assert.equal((finalInfo.tokens_used as TlObject).total_tokens_used, 134n);
    assert.equal(finalInfo.worker_debug, undefined);
    assert.equal(typeof finalInfo.worker_start_time, 'number');
  });
});
