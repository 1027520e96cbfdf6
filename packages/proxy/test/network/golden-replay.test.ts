/**
 * Interop: the exact bytes a reference client and a reference worker sent (golden frames
 * captured from the reference build) are replayed against our proxy over a real secure
 * connection. Our proxy must answer with the same sequence of messages, route the reference
 * client's request to the reference worker, relay the worker's answer body unchanged, and
 * bill the worker's tokensUsed (134) to both sides.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import type { TLSSocket } from 'node:tls';
import { FrameDecoder, createLogger, decodeBoxed, decodeHttpResponse, encodeBoxed, encodeFrame } from '@cocoon/protocol';
import type { TlObject } from '@cocoon/protocol';
import { FakeTdxProvider, NoTeeProvider, FakeTdxPolicyVerifier, createAttestedCertificate, dialSecure } from '@cocoon/attestation';
import { proxyConfigSchema, startProxyRunner } from '../../src/index.ts';
import type { RunnerHandle } from '@cocoon/protocol';
import { loadGoldenStreams } from '@cocoon/test-support';

const streams = loadGoldenStreams();
const clientLeg = streams['client<->proxy']!;
const workerLeg = streams['worker<->proxy']!;
const REFERENCE_CLIENT_OWNER = 'UQCdj43bBDyeJlfe6FVSpWLfsDMp4YHbmz5lca5-tNz-fx20';

/** A raw peer: writes exact frame bytes, reads and decodes what the proxy sends. */
class RawPeer {
  private readonly decoder = new FrameDecoder();
  private readonly inbox: TlObject[] = [];
  private waiter: (() => void) | undefined;
  seqno = 0;

  constructor(readonly socket: TLSSocket) {
    socket.on('data', (chunk: Buffer) => {
      for (const frame of this.decoder.push(chunk)) this.inbox.push(decodeBoxed(frame.payload));
      this.waiter?.();
    });
  }

  writeGolden(hex: string): void {
    this.socket.write(Buffer.from(hex, 'hex'));
    this.seqno += 1;
  }

  writePacket(message: TlObject): void {
    this.socket.write(encodeFrame(this.seqno++, encodeBoxed({ _: 'tcp.packet', data: encodeBoxed(message) })));
  }

  /** Next received session packet, with tcp.packet / tcp.queryAnswer payloads decoded. */
  async next(): Promise<{ outer: string; inner: TlObject | undefined }> {
    while (this.inbox.length === 0) await new Promise<void>((resolve) => { this.waiter = resolve; });
    const packet = this.inbox.shift()!;
    const data = packet.data as Buffer | undefined;
    return { outer: packet._, inner: data ? decodeBoxed(data) : undefined };
  }

  async expect(outer: string, inner?: string): Promise<TlObject | undefined> {
    const packet = await this.next();
    assert.equal(packet.outer, outer);
    if (inner) assert.equal(packet.inner?._, inner);
    return packet.inner;
  }
}

async function dialRaw(port: number, provider: FakeTdxProvider | NoTeeProvider): Promise<RawPeer> {
  const identity = await createAttestedCertificate({ provider, now: new Date() });
  const { socket } = await dialSecure({ host: '127.0.0.1', port, identity, verifier: new FakeTdxPolicyVerifier() });
  return new RawPeer(socket);
}

describe('reference peers replayed against our proxy', () => {
  let proxy: RunnerHandle;
  let worker: RawPeer;
  let client: RawPeer;

  before(async () => {
    const config = proxyConfigSchema.parse({
      client_port: 0, worker_port: 0, http_port: 0, pow_difficulty: 2,
      dev_clients: [{ owner_address: REFERENCE_CLIENT_OWNER, secret_hash: createHash('sha256').update('').digest('hex'), balance_nanoton: '100000000000', stake_nanoton: '15000000000' }],
    });
    // The reference client saw root config version 3 (min_config_version=3 in its frames).
    proxy = await startProxyRunner(config, { logger: createLogger('proxy', { level: 'error' }), configVersion: 3 });
  });

  after(async () => {
    worker?.socket.destroy();
    client?.socket.destroy();
    await proxy.close();
  });

  test('the reference worker handshake', async () => {
    worker = await dialRaw((proxy.readyInfo as { worker_port: number }).worker_port, new FakeTdxProvider());
    const expected = [['tcp.connected'], ['tcp.queryAnswer', 'worker.connectedToProxy'], ['tcp.queryAnswer', 'worker.compareBalanceWithProxyResult'], ['tcp.queryAnswer', 'worker.proxyHandshakeCompleted']];
    for (let index = 0; index < 4; index++) {
      worker.writeGolden(workerLeg[index * 2]!.hex);
      const [outer, inner] = expected[index]!;
      const answer = await worker.expect(outer!, inner);
      if (inner === 'worker.connectedToProxy') {
        const params = answer!.params as TlObject;
        assert.equal(params.flags, 3);
        assert.equal(params.is_test, true);
        assert.equal(params.proto_version, 2);
      }
      if (inner === 'worker.compareBalanceWithProxyResult') assert.equal(answer!.error_code, 0);
    }
  });

  test('the reference client handshake and request, answered by the reference worker', async () => {
    client = await dialRaw((proxy.readyInfo as { client_port: number }).client_port, new NoTeeProvider());
    client.writeGolden(clientLeg[0]!.hex);
    await client.expect('tcp.connected');
    client.writeGolden(clientLeg[2]!.hex);
    const connected = await client.expect('tcp.queryAnswer', 'client.connectedToProxy');
    const auth = connected!.auth as TlObject;
    assert.equal(auth._, 'client.proxyConnectionAuthShort');
    assert.equal((auth.secret_hash as Buffer).toString('hex'), 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    client.writeGolden(clientLeg[4]!.hex);
    await client.expect('tcp.queryAnswer', 'client.authorizationWithProxySuccess');

    const requestFrame = clientLeg.find((frame) => frame.inner === 'client.runQueryEx')!;
    client.writeGolden(requestFrame.hex);
    const forwarded = await worker.expect('tcp.packet', 'proxy.runQueryEx');
    assert.equal(forwarded!.coefficient, 1000n);
    const clientRequest = decodeBoxed(decodeBoxed(Buffer.from(requestFrame.hex, 'hex').subarray(8)).data as Buffer);
    assert.deepEqual(forwarded!.query, clientRequest.query, 'the http.request is forwarded byte for byte');

    // The reference worker's answer frames, addressed to the request id our proxy chose.
    const answers = workerLeg.filter((frame) => frame.inner === 'proxy.queryAnswerEx' || frame.inner === 'proxy.queryAnswerPartEx').slice(0, 2);
    for (const frame of answers) {
      const message = decodeBoxed(decodeBoxed(Buffer.from(frame.hex, 'hex').subarray(8)).data as Buffer);
      worker.writePacket({ ...message, request_id: forwarded!.request_id as Buffer });
    }
    const workerBody = decodeBoxed(decodeBoxed(Buffer.from(answers[1]!.hex, 'hex').subarray(8)).data as Buffer).answer as Buffer;

    const answer = await client.expect('tcp.packet', 'client.queryAnswerEx');
    assert.deepEqual(answer!.request_id, clientRequest.request_id);
    assert.equal(decodeHttpResponse(answer!.answer as Buffer).statusCode, 200);
    const part = await client.expect('tcp.packet', 'client.queryAnswerPartEx');
    assert.ok((part!.answer as Buffer).equals(workerBody), 'the answer body is relayed unchanged');
    assert.equal(part!.flags, 1);
    assert.equal(((part!.final_info as TlObject).tokens_used as TlObject).total_tokens_used, 134n);
    const payment = await client.expect('tcp.packet', 'proxy.clientRequestPayment');
    assert.equal(payment!.request_tokens, 134n);
    assert.equal(payment!.max_tokens, 134n);
    const workerPayment = await worker.expect('tcp.packet', 'proxy.workerRequestPayment');
    assert.equal(workerPayment!.request_tokens, 134n);
    assert.equal(workerPayment!.request_client_owner, REFERENCE_CLIENT_OWNER);
  });
});
