/**
 * `cocoon wallet new|show|balance`: the node wallet of a runner (§6.1) — a 32-byte Ed25519 seed
 * in a key file (hex, 0600, like the runners' `node_wallet_key_file`) plus the owner address;
 * together they fix the cocoon wallet's address.
 *   new      creates the key file (never overwrites one) and prints the wallet address
 *   show     the wallet address (non-bounceable to fund it, bounceable, raw) and public key
 *   balance  the wallet's state and balance on chain, against the runners' minimum (2.1 TON)
 * Key file and owner come from --key-file/--owner, or from a runner config (--role R --config FILE).
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';
import { keyPairFromSeed } from '@ton/crypto';
import { CocoonError, loadConfig, toCocoonError, toJsonText } from '@cocoon/protocol';
import { CocoonWalletContract, MIN_WALLET_BALANCE, WARN_WALLET_BALANCE, type Chain } from '@cocoon/ton';
import type { Address } from '@ton/core';
import { ExitCode, type CliIo } from '../cli-io.ts';
import { splitConfigFileFlag } from './config-file-flag.ts';
import { chainSettingsOf, isOperatorRole, loadOperatorConfig } from './operator-role-config.ts';
import { openOperatorChain, parseAddress } from './operator-chain.ts';
import { formatTon } from './ton-amount.ts';

const USAGE = `usage: cocoon wallet new --key-file FILE [--owner ADDR]
       cocoon wallet show    (--key-file FILE --owner ADDR | --role client|proxy|worker [--config FILE]) [--testnet] [--json]
       cocoon wallet balance (--key-file FILE --owner ADDR | --role R [--config FILE] | --address ADDR) [--ton-endpoint URL] [--json]`;

const optionsSchema = z.object({
  key_file: z.string().min(1).optional(),
  owner: z.string().min(1).optional(),
  role: z.string().optional(),
  address: z.string().min(1).optional(),
  ton_endpoint: z.string().regex(/^https?:\/\//, 'expected an http(s) URL').optional(),
  ton_api_key: z.string().optional(),
  /** Print user-friendly addresses with the testnet flag. */
  testnet: z.boolean().default(false),
  json: z.boolean().default(false),
}).strict();
type WalletOptions = z.output<typeof optionsSchema>;

export interface WalletCommandDeps {
  random?: (bytes: number) => Buffer;
  openChain?: (endpoint: string, apiKey: string | undefined) => Promise<Chain>;
}

class UsageError extends Error {}

/** Reads an existing key file (never creates one): 64 hex characters. */
export function readWalletSeed(path: string): Buffer {
  let text: string;
  try {
    text = readFileSync(path, 'utf8').trim();
  } catch (error) {
    throw new CocoonError('CCN_ERR_CONFIG_INVALID', `cannot read the wallet key file ${path} (${(error as NodeJS.ErrnoException).code ?? 'unreadable'}); create one with 'cocoon wallet new --key-file ${path}'`, { param: 'key_file' });
  }
  if (!/^[0-9a-fA-F]{64}$/.test(text)) throw new CocoonError('CCN_ERR_CONFIG_INVALID', `wallet key file ${path} must hold 64 hex characters (a 32-byte seed)`, { param: 'key_file' });
  return Buffer.from(text, 'hex');
}

/** Writes a fresh seed to `path` (0600, directory 0700); refuses when the file exists. */
export function createWalletKeyFile(path: string, random: (bytes: number) => Buffer = randomBytes): Buffer {
  const seed = random(32);
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  try {
    writeFileSync(path, `${seed.toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new CocoonError('CCN_ERR_CONFIG_INVALID', `${path} exists: not overwriting a wallet key (it may hold funds); pick another --key-file`, { param: 'key_file' });
    }
    throw new CocoonError('CCN_ERR_CONFIG_INVALID', `cannot create ${path}: ${(error as Error).message}`, { param: 'key_file', cause: error });
  }
  return seed;
}

interface WalletIdentity {
  keyFile: string;
  publicKey: Buffer;
  owner: Address;
  address: Address;
}

export function walletAddressForms(address: Address, testnet: boolean): Record<string, string> {
  return {
    address_non_bounceable: address.toString({ bounceable: false, testOnly: testnet }),
    address_bounceable: address.toString({ bounceable: true, testOnly: testnet }),
    address_raw: address.toRawString(),
  };
}

async function resolveIdentity(options: WalletOptions, file: string | undefined, io: CliIo): Promise<{ identity: WalletIdentity; endpoint: string | undefined; apiKey: string | undefined }> {
  let keyFile = options.key_file;
  let owner = options.owner;
  let endpoint = options.ton_endpoint;
  let apiKey = options.ton_api_key;
  if (options.role !== undefined || file !== undefined) {
    if (!isOperatorRole(options.role) || options.role === 'key-manager') throw new UsageError('--config needs --role client|proxy|worker');
    const settings = chainSettingsOf(await loadOperatorConfig(options.role, file, io.env));
    keyFile ??= settings.walletKeyFile;
    owner ??= settings.ownerAddress;
    endpoint ??= settings.endpoint;
    apiKey ??= settings.apiKey;
  }
  if (!keyFile) throw new UsageError('name the wallet: --key-file FILE (or --role R --config FILE)');
  if (!owner) throw new UsageError('the wallet address depends on its owner: pass --owner ADDR (the owner_address of the runner)');
  const ownerAddress = parseAddress(owner, 'owner');
  const publicKey = Buffer.from(keyPairFromSeed(readWalletSeed(keyFile)).publicKey);
  const address = CocoonWalletContract.fromConfig({ publicKey, ownerAddress }).address;
  return { identity: { keyFile, publicKey, owner: ownerAddress, address }, endpoint, apiKey };
}

function emit(io: CliIo, json: boolean, title: string, result: Record<string, unknown>): void {
  if (json) {
    io.stdout(toJsonText(result));
    return;
  }
  io.stdout(title);
  for (const [key, value] of Object.entries(result)) io.stdout(`  ${key.padEnd(24)} ${String(value)}`);
}

async function walletNew(options: WalletOptions, io: CliIo, deps: WalletCommandDeps): Promise<number> {
  if (!options.key_file) throw new UsageError('wallet new needs --key-file FILE');
  const seed = createWalletKeyFile(options.key_file, deps.random);
  const publicKey = Buffer.from(keyPairFromSeed(seed).publicKey);
  const result: Record<string, unknown> = { key_file: options.key_file, mode: (statSync(options.key_file).mode & 0o777).toString(8), public_key: publicKey.toString('hex') };
  if (options.owner) {
    const owner = parseAddress(options.owner, 'owner');
    Object.assign(result, { owner: owner.toString({ bounceable: false, testOnly: options.testnet }) }, walletAddressForms(CocoonWalletContract.fromConfig({ publicKey, ownerAddress: owner }).address, options.testnet));
  }
  emit(io, options.json, `created wallet key ${options.key_file} (keep it private; back it up)`, result);
  if (!options.json) {
    io.stdout(options.owner
      ? `  fund it: send at least ${formatTon(WARN_WALLET_BALANCE)} TON to ${String(result.address_non_bounceable)} (runners refuse to work below ${formatTon(MIN_WALLET_BALANCE)} TON)`
      : '  its address depends on the owner: cocoon wallet show --key-file FILE --owner ADDR');
  }
  return ExitCode.ok;
}

async function walletShow(options: WalletOptions, file: string | undefined, io: CliIo): Promise<number> {
  const { identity } = await resolveIdentity(options, file, io);
  emit(io, options.json, `cocoon wallet of ${identity.keyFile}`, {
    ...walletAddressForms(identity.address, options.testnet), owner: identity.owner.toString({ bounceable: false, testOnly: options.testnet }), public_key: identity.publicKey.toString('hex'),
  });
  return ExitCode.ok;
}

async function walletBalance(options: WalletOptions, file: string | undefined, io: CliIo, deps: WalletCommandDeps): Promise<number> {
  let address: Address;
  let endpoint = options.ton_endpoint;
  let apiKey = options.ton_api_key;
  if (options.address !== undefined && options.key_file === undefined && options.role === undefined) address = parseAddress(options.address, 'address');
  else ({ identity: { address }, endpoint, apiKey } = await resolveIdentity(options, file, io));
  const chain = await (deps.openChain ?? openOperatorChain)(endpoint ?? '', apiKey);
  try {
    const account = await chain.getAccount(address);
    const seqno = account.state === 'active' && account.data ? safeSeqno(account.data) : null;
    const verdict = account.balance < MIN_WALLET_BALANCE ? `LOW: runners refuse to work below ${formatTon(MIN_WALLET_BALANCE)} TON; send TON to the non-bounceable address`
      : account.balance < WARN_WALLET_BALANCE ? `ok, but below the recommended ${formatTon(WARN_WALLET_BALANCE)} TON` : 'ok';
    emit(io, options.json, `balance of ${address.toString({ bounceable: false, testOnly: options.testnet })}`, {
      ...walletAddressForms(address, options.testnet), state: account.state, balance_ton: formatTon(account.balance), balance_nanoton: account.balance, seqno, verdict,
    });
    return ExitCode.ok;
  } finally {
    await chain.close();
  }
}

function safeSeqno(data: Parameters<typeof CocoonWalletContract.parseData>[0]): number | null {
  try {
    return CocoonWalletContract.parseData(data).seqno;
  } catch {
    return null; // not a cocoon wallet (--address of another contract)
  }
}

export async function runWalletCommand(args: readonly string[], io: CliIo, deps: WalletCommandDeps = {}): Promise<number> {
  const [subcommand, ...rest] = args;
  if (subcommand === undefined || subcommand === '--help' || subcommand === '-h' || subcommand === 'help') {
    (subcommand === undefined ? io.stderr : io.stdout)(USAGE);
    return subcommand === undefined ? ExitCode.usage : ExitCode.ok;
  }
  let options: WalletOptions;
  let file: string | undefined;
  try {
    if (!['new', 'show', 'balance'].includes(subcommand)) throw new UsageError(`unknown subcommand '${subcommand}'`);
    const split = splitConfigFileFlag(rest);
    file = split.file;
    options = loadConfig(optionsSchema, { env: {}, envPrefix: 'COCOON_WALLET_', argv: split.rest });
  } catch (error) {
    io.stderr(`cocoon wallet: ${error instanceof UsageError ? error.message : toCocoonError(error).message}\n${USAGE}`);
    return ExitCode.usage;
  }
  try {
    if (subcommand === 'new') return await walletNew(options, io, deps);
    if (subcommand === 'show') return await walletShow(options, file, io);
    return await walletBalance(options, file, io, deps);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`cocoon wallet ${subcommand}: ${error.message}\n${USAGE}`);
      return ExitCode.usage;
    }
    const failure = toCocoonError(error);
    io.stderr(`cocoon wallet ${subcommand}: ${failure.code}: ${failure.message}`);
    return ExitCode.failure;
  }
}
