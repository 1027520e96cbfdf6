/**
 * The real probes behind `cocoon doctor`: files on this machine, this checkout's (or this TDX
 * guest's) image measurement, the root contract and node wallet on the configured chain, the
 * chain's time (else the HTTP Date header of the chain endpoint), and binding ports.
 */
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { keyPairFromSeed } from '@ton/crypto';
import { CocoonError } from '@cocoon/protocol';
import {
  ConfigfsTsmProvider, EMPTY_IMAGE_HASH, REPORT_DATA_LENGTH, SevSnpTsmProvider, computeImageHash, computeSevSnpImageHash, measureSimulatedRunner,
  measureSimulatedSevSnpRunner, parseSevSnpReport, parseTdxQuote, zeroMeasurements,
} from '@cocoon/attestation';
import { CocoonWalletContract, readRootConfig, type Chain } from '@cocoon/ton';
import type { DoctorProbes } from './doctor-checks.ts';
import { chainSettingsOf, type OperatorConfig, type OperatorRole } from './operator-role-config.ts';
import { openOperatorChain, parseAddress } from './operator-chain.ts';
import { readWalletSeed } from './wallet-command.ts';

async function imageHashOf(role: OperatorRole, config: OperatorConfig): Promise<{ hash: string; how: string }> {
  const tee = typeof config.tee === 'string' ? config.tee : 'tdx';
  if (tee === 'simulated') {
    if (role !== 'proxy' && role !== 'worker') throw new CocoonError('CCN_ERR_CONFIG_INVALID', `tee simulated measures proxies and workers only, not a ${role}`);
    return { hash: (await measureSimulatedRunner(role)).imageHash.toString('hex'), how: 'simulated: this checkout measured as `cocoon attest self --role' + ` ${role}\`` };
  }
  if (tee === 'tdx') {
    const quote = await new ConfigfsTsmProvider().getQuote(Buffer.alloc(REPORT_DATA_LENGTH));
    return { hash: computeImageHash(parseTdxQuote(quote).measurements).toString('hex'), how: 'tdx: from a configfs-tsm quote of this guest' };
  }
  if (tee === 'simulated-sev-snp') {
    if (role !== 'proxy' && role !== 'worker') throw new CocoonError('CCN_ERR_CONFIG_INVALID', `tee simulated-sev-snp measures proxies and workers only, not a ${role}`);
    return { hash: (await measureSimulatedSevSnpRunner(role)).imageHash.toString('hex'), how: 'simulated-sev-snp: this checkout measured as `cocoon attest self --tee simulated-sev-snp --role' + ` ${role}\`` };
  }
  if (tee === 'sev-snp') {
    const { report } = await new SevSnpTsmProvider({ vcekPath: '' }).getReport(Buffer.alloc(REPORT_DATA_LENGTH));
    return { hash: computeSevSnpImageHash(parseSevSnpReport(report).measurement).toString('hex'), how: 'sev-snp: from a configfs-tsm report of this guest' };
  }
  if (tee === 'fake_tdx') return { hash: computeImageHash(zeroMeasurements()).toString('hex'), how: 'fake_tdx: all-zero registers' };
  return { hash: EMPTY_IMAGE_HASH.toString('hex'), how: 'tee none: no attestation' };
}

/** Binds host:port briefly; true when that worked. */
export function portIsFree(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

export function createDoctorProbes(options: { openChain?: (endpoint: string, apiKey: string | undefined) => Promise<Chain>; fetch?: typeof fetch; now?: () => number } = {}): DoctorProbes & { close(): Promise<void> } {
  const fetchImpl = options.fetch ?? fetch;
  const chains = new Map<string, Promise<Chain>>();
  const chainOf = (config: OperatorConfig): Promise<Chain> | undefined => {
    const settings = chainSettingsOf(config);
    if (!settings.endpoint) return undefined;
    let chain = chains.get(settings.endpoint);
    if (!chain) {
      chain = (options.openChain ?? openOperatorChain)(settings.endpoint, settings.apiKey);
      chains.set(settings.endpoint, chain);
    }
    return chain;
  };
  return {
    fileExists: (path) => existsSync(path),
    imageHash: imageHashOf,
    async readRoot(config) {
      const chain = chainOf(config);
      const root = chainSettingsOf(config).rootAddress;
      if (!chain) return undefined;
      if (!root) throw new CocoonError('CCN_ERR_CONFIG_INVALID', 'ton_endpoint is set but root_contract_address is not', { param: 'root_contract_address' });
      return readRootConfig(await chain, parseAddress(root, 'root_contract_address'));
    },
    async walletBalance(config) {
      const chain = chainOf(config);
      const settings = chainSettingsOf(config);
      if (!chain) return undefined;
      if (!settings.walletKeyFile || !settings.ownerAddress) throw new CocoonError('CCN_ERR_CONFIG_INVALID', 'node_wallet_key_file and owner_address are needed to find the wallet');
      const publicKey = Buffer.from(keyPairFromSeed(readWalletSeed(settings.walletKeyFile)).publicKey);
      const address = CocoonWalletContract.fromConfig({ publicKey, ownerAddress: parseAddress(settings.ownerAddress, 'owner_address') }).address;
      return { address: address.toString({ bounceable: false }), balance: (await (await chain).getAccount(address)).balance };
    },
    async referenceTime(config) {
      const chain = chainOf(config);
      if (!chain) return undefined;
      try {
        return { ms: (await (await chain).now()) * 1000, source: 'the chain' };
      } catch (error) {
        const endpoint = chainSettingsOf(config).endpoint!;
        const date = (await fetchImpl(endpoint, { method: 'HEAD', signal: AbortSignal.timeout(10_000) }).catch(() => undefined))?.headers.get('date');
        if (!date) throw error;
        return { ms: Date.parse(date), source: `the Date header of ${new URL(endpoint).host}` };
      }
    },
    fetch: fetchImpl,
    portFree: portIsFree,
    now: options.now ?? Date.now,
    async close() {
      for (const chain of chains.values()) await (await chain.catch(() => undefined))?.close();
    },
  };
}
