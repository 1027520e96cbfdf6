/**
 * The operator's contract commands, each a call to the running runner's admin endpoint
 * (`POST /request/<name>` with its admin token), which sends the message from the runner's own
 * wallet and waits for its effect on chain:
 *   cocoon client topup [--amount TON] | withdraw | close | charge   [--proxy PROXY_SC]
 *   cocoon worker cashout [--proxy PROXY_SC] | enable | disable | set-coefficient MULTIPLIER
 *   cocoon proxy withdraw
 * Prints what happened: the runner's answer (contract state, balances), the wallet balance
 * before → after, and, with a chain endpoint (`--ton-endpoint` or the config's ton_endpoint), the
 * hashes of the transactions the wallet and the contract got. Waits show progress on stderr.
 */
import { z } from 'zod';
import { CocoonError, loadConfig, toCocoonError, toJsonText } from '@cocoon/protocol';
import type { Chain } from '@cocoon/ton';
import { ExitCode, type CliIo } from '../cli-io.ts';
import { splitConfigFileFlag } from './config-file-flag.ts';
import { adminTokenFileOf, chainSettingsOf, loadOperatorConfig, statsUrlOf } from './operator-role-config.ts';
import { RunnerAdminClient } from './runner-admin-client.ts';
import { formatTon, parseCoefficient, parseTonAmount } from './ton-amount.ts';
import { WaitProgress, type ProgressOutput, type ProgressTimers } from './wait-progress.ts';
import { markAccount, openOperatorChain, parseAddress, transactionsSince, type AccountMark, type NewTransaction } from './operator-chain.ts';

type ContractRole = 'client' | 'worker' | 'proxy';

interface OperationSpec {
  /** `/request/<endpoint>`. */
  endpoint: string;
  summary: string;
  /** Options besides the common ones. */
  takes: ReadonlyArray<'proxy' | 'amount' | 'coefficient'>;
  /** Waits for the chain (shown with progress). */
  onChain: boolean;
}

export const CONTRACT_OPERATIONS: Record<ContractRole, Record<string, OperationSpec>> = {
  client: {
    topup: { endpoint: 'topup', summary: 'top up the client contract (one stake, or --amount TON)', takes: ['amount', 'proxy'], onChain: true },
    withdraw: { endpoint: 'withdraw', summary: 'refund the balance above the stake to the client wallet', takes: ['proxy'], onChain: true },
    close: { endpoint: 'close', summary: 'close the client contract (again after unlock: force-close)', takes: ['proxy'], onChain: true },
    charge: { endpoint: 'charge', summary: "submit the proxy's newest signed charge", takes: ['proxy'], onChain: true },
  },
  worker: {
    cashout: { endpoint: 'payout', summary: 'cash out everything the proxy owes (to the worker owner)', takes: ['proxy'], onChain: true },
    enable: { endpoint: 'enable', summary: 'take requests again', takes: [], onChain: false },
    disable: { endpoint: 'disable', summary: 'stop taking new requests', takes: [], onChain: false },
    'set-coefficient': { endpoint: 'change_coefficient', summary: 'change the price multiplier (1 = 1.0x)', takes: ['coefficient'], onChain: false },
  },
  proxy: {
    withdraw: { endpoint: 'withdraw', summary: "pay the proxy contract's earnings to the proxy owner", takes: [], onChain: true },
  },
};

export function isContractOperation(role: string, name: string | undefined): role is ContractRole {
  return name !== undefined && Object.hasOwn(CONTRACT_OPERATIONS, role) && Object.hasOwn(CONTRACT_OPERATIONS[role as ContractRole], name);
}

const optionsSchema = z.object({
  /** The runner's stats URL (default from --config: http_host/host and http_port). */
  stats_url: z.string().regex(/^https?:\/\//, 'expected an http(s) URL').optional(),
  /** The runner's admin token file (default from --config, else .cocoon/<role>/admin.token). */
  admin_token_file: z.string().min(1).optional(),
  /** toncenter endpoint for transaction hashes (default: the config's ton_endpoint). */
  ton_endpoint: z.string().regex(/^https?:\/\//, 'expected an http(s) URL').optional(),
  proxy: z.string().min(1).optional(),
  amount: z.string().min(1).optional(),
  coefficient: z.string().min(1).optional(),
  json: z.boolean().default(false),
  timeout_seconds: z.number().positive().max(3600).default(300),
}).strict();

export interface ContractCommandDeps {
  /** Where progress goes (default: stderr, rewritten in place on a terminal). */
  progress?: ProgressOutput;
  timers?: ProgressTimers;
  fetch?: typeof fetch;
  /** The chain for transaction hashes (default: a toncenter chain at the endpoint). */
  openChain?: (endpoint: string, apiKey: string | undefined) => Promise<Chain>;
}

const usageOf = (role: ContractRole, operation: string): string => {
  const spec = CONTRACT_OPERATIONS[role][operation]!;
  const extra = spec.takes.map((option) => (option === 'coefficient' ? 'MULTIPLIER' : option === 'amount' ? '[--amount TON]' : '[--proxy PROXY_SC]')).join(' ');
  return `usage: cocoon ${role} ${operation}${extra ? ` ${extra}` : ''} [--config FILE] [--stats-url URL] [--admin-token-file FILE] [--ton-endpoint URL] [--json]\n  ${spec.summary}`;
};

/** The `progress` default: stderr as is for the real process, line-wise into io.stderr otherwise. */
export function progressOutputFor(io: CliIo, isProcess: boolean): ProgressOutput {
  if (isProcess) return { write: (text) => void process.stderr.write(text), isTTY: process.stderr.isTTY === true };
  return { write: (text) => { for (const line of text.split('\n')) if (line) io.stderr(line); }, isTTY: false };
}

interface Snapshot {
  walletAddress: string | undefined;
  walletBalance: bigint | undefined;
  contractAddress: string | undefined;
}

function snapshotOf(role: ContractRole, stats: Record<string, unknown>, proxy: string | undefined): Snapshot {
  const wallet = stats.wallet as { address?: unknown; balance?: unknown } | undefined;
  const balance = wallet?.balance;
  let contractAddress: string | undefined;
  if (role === 'proxy') contractAddress = (stats.smartcontract as { address?: string } | undefined)?.address;
  else {
    const proxies = Array.isArray(stats.proxies) ? (stats.proxies as Array<Record<string, unknown>>) : [];
    const entry = proxies.find((candidate) => proxy === undefined || candidate.proxy_sc_address === proxy) ?? proxies[0];
    contractAddress = typeof entry?.sc_address === 'string' ? entry.sc_address : undefined;
  }
  return {
    walletAddress: typeof wallet?.address === 'string' ? wallet.address : undefined,
    walletBalance: typeof balance === 'number' || (typeof balance === 'string' && /^\d+$/.test(balance)) ? BigInt(balance) : undefined,
    contractAddress,
  };
}

function buildQuery(role: ContractRole, operation: string, options: z.output<typeof optionsSchema>, positional: string[]): Record<string, string | undefined> {
  const spec = CONTRACT_OPERATIONS[role][operation]!;
  for (const option of ['proxy', 'amount', 'coefficient'] as const) {
    if (options[option] !== undefined && !spec.takes.includes(option)) throw new CocoonError('CCN_ERR_CONFIG_INVALID', `cocoon ${role} ${operation} takes no --${option}`, { param: option });
  }
  if (spec.takes.includes('coefficient')) {
    const text = options.coefficient ?? positional[0];
    if (text === undefined || positional.length > 1) throw new CocoonError('CCN_ERR_CONFIG_INVALID', 'set-coefficient needs one MULTIPLIER, e.g. 1.25', { param: 'coefficient' });
    return { coefficient: String(parseCoefficient(text)) };
  }
  if (positional.length > 0) throw new CocoonError('CCN_ERR_CONFIG_INVALID', `unexpected argument '${positional[0]}'`, { param: 'argv' });
  const amount = options.amount === undefined ? undefined : parseTonAmount(options.amount, 'amount');
  if (amount !== undefined && amount <= 0n) throw new CocoonError('CCN_ERR_CONFIG_INVALID', 'amount: must be more than 0 TON', { param: 'amount' });
  return { proxy: options.proxy, amount: amount?.toString() };
}

/** Human lines for the runner's answer: nested objects flattened, nanoTON fields also shown in TON. */
function describeAnswer(answer: Record<string, unknown>, prefix = ''): string[] {
  const lines: string[] = [];
  for (const [key, value] of Object.entries(answer)) {
    const name = `${prefix}${key}`;
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) lines.push(...describeAnswer(value as Record<string, unknown>, `${name}.`));
    else if (Array.isArray(value)) value.forEach((item, index) => lines.push(...(typeof item === 'object' && item !== null ? describeAnswer(item as Record<string, unknown>, `${name}[${index}].`) : [`  ${name}[${index}]  ${String(item)}`])));
    else {
      const isMoney = /balance|stake|paid|earnings|amount/.test(key) && (typeof value === 'number' || (typeof value === 'string' && /^\d+$/.test(value)));
      lines.push(`  ${name.padEnd(34)} ${String(value)}${isMoney ? ` nanoTON (${formatTon(BigInt(value as number | string))} TON)` : ''}`);
    }
  }
  return lines;
}

export async function runContractCommand(role: ContractRole, operation: string, args: readonly string[], io: CliIo, deps: ContractCommandDeps = {}): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    io.stdout(usageOf(role, operation));
    return ExitCode.ok;
  }
  const positional = args[0] !== undefined && !args[0].startsWith('--') ? [args[0]] : []; // set-coefficient MULTIPLIER
  const flags = args.slice(positional.length);
  let options: z.output<typeof optionsSchema>;
  let query: Record<string, string | undefined>;
  let client: RunnerAdminClient;
  let endpoint: string | undefined;
  let apiKey: string | undefined;
  try {
    const { file, rest } = splitConfigFileFlag(flags);
    options = loadConfig(optionsSchema, { env: {}, envPrefix: 'COCOON_OPERATION_', argv: rest });
    query = buildQuery(role, operation, options, positional);
    const config = await loadOperatorConfig(role, file, io.env);
    const chainSettings = chainSettingsOf(config);
    endpoint = options.ton_endpoint ?? chainSettings.endpoint;
    apiKey = chainSettings.apiKey;
    client = new RunnerAdminClient({
      role, statsUrl: options.stats_url ?? statsUrlOf(role, config), adminTokenFile: options.admin_token_file ?? adminTokenFileOf(role, config),
      timeoutMs: options.timeout_seconds * 1000, ...(deps.fetch ? { fetch: deps.fetch } : {}),
    });
  } catch (error) {
    io.stderr(`cocoon ${role} ${operation}: ${toCocoonError(error).message}`);
    io.stderr(usageOf(role, operation));
    return ExitCode.usage;
  }
  const spec = CONTRACT_OPERATIONS[role][operation]!;
  let chain: Chain | undefined;
  try {
    const before = snapshotOf(role, await client.jsonStats(), options.proxy);
    const marks: AccountMark[] = [];
    if (spec.onChain && endpoint) {
      chain = await (deps.openChain ?? openOperatorChain)(endpoint, apiKey);
      for (const address of [before.walletAddress, before.contractAddress]) if (address) marks.push(await markAccount(chain, parseAddress(address, 'address')));
      if (before.walletAddress) before.walletBalance = (await chain.getAccount(parseAddress(before.walletAddress, 'wallet'))).balance;
    }
    const progress = new WaitProgress({ output: deps.progress ?? progressOutputFor(io, false), ...(deps.timers ? { timers: deps.timers } : {}) });
    const label = spec.onChain ? `${role} ${operation}: waiting for the chain` : `${role} ${operation}`;
    const answer = await progress.track(label, () => client.request(spec.endpoint, query));
    const after = snapshotOf(role, await client.jsonStats(), options.proxy);
    if (chain && after.walletAddress) after.walletBalance = (await chain.getAccount(parseAddress(after.walletAddress, 'wallet'))).balance; // /jsonstats may lag
    const transactions: Array<{ address: string; transactions: NewTransaction[] }> = [];
    if (chain) for (const mark of marks) transactions.push({ address: mark.address.toString(), transactions: await transactionsSince(chain, mark) });
    report(io, role, operation, options.json, answer, before, after, transactions);
    return ExitCode.ok;
  } catch (error) {
    const failure = toCocoonError(error);
    if (options.json) io.stdout(JSON.stringify({ ok: false, role, operation, error: { code: failure.code, message: failure.message } }));
    io.stderr(`cocoon ${role} ${operation}: ${failure.code}: ${failure.message}`);
    return ExitCode.failure;
  } finally {
    await chain?.close();
  }
}

function report(
  io: CliIo, role: ContractRole, operation: string, json: boolean, answer: Record<string, unknown>,
  before: Snapshot, after: Snapshot, transactions: Array<{ address: string; transactions: NewTransaction[] }>,
): void {
  if (json) {
    io.stdout(toJsonText({
      ok: true, role, operation, answer,
      wallet: { address: after.walletAddress ?? before.walletAddress ?? null, balance_before: before.walletBalance ?? null, balance_after: after.walletBalance ?? null },
      transactions: transactions.map((entry) => ({ address: entry.address, transactions: entry.transactions.map((transaction) => ({ hash: transaction.hash, lt: transaction.lt.toString(), time: transaction.time, aborted: transaction.aborted })) })),
    }));
    return;
  }
  io.stdout(`cocoon ${role} ${operation}: done`);
  for (const line of describeAnswer(answer)) io.stdout(line);
  if (before.walletBalance !== undefined || after.walletBalance !== undefined) {
    const show = (value: bigint | undefined) => (value === undefined ? '?' : `${formatTon(value)} TON`);
    io.stdout(`  wallet ${after.walletAddress ?? before.walletAddress ?? ''}: ${show(before.walletBalance)} -> ${show(after.walletBalance)}`);
  }
  for (const entry of transactions) {
    for (const transaction of entry.transactions) {
      io.stdout(`  tx ${transaction.hash} on ${entry.address} (lt ${transaction.lt}${transaction.aborted ? ', ABORTED' : ''})`);
    }
  }
}
