/**
 * The dashboard's role sections (browser code, part of `/dashboard.js`, see dashboard-script.ts
 * for the helpers it uses): the proxy (workers with model, price, load and attestation; clients;
 * earnings and commission), the worker (earnings, tokens/s, payouts, active requests, proxy
 * connections) and the client (spending, balance, stake, requests, proxies). Reads only fields
 * `/jsonstats` has; a number the runner does not report is shown as a dash, never made up.
 * Plain JavaScript text, no backticks.
 */
export const DASHBOARD_SECTIONS_SCRIPT = String.raw`
function requestsCard(stats) {
  const rejected = stats.rejected === undefined ? '' : ' \u00b7 ' + count(total(stats.rejected)) + ' rejected';
  return { field: 'requests', label: 'Requests', value: count(total(stats.queries)), sub: count(total(stats.success)) + ' ok \u00b7 ' + count(total(stats.failed)) + ' failed' + rejected };
}

function coefficient(value) {
  return isNumber(value) ? (value / 1000).toFixed(3) + '\u00d7' : '\u2014';
}

/** §5: a worker's price per token is the network price times its coefficient / 1000. */
function workerPrice(pricePerToken, workerCoefficient) {
  const price = big(pricePerToken);
  if (price === null || !isNumber(workerCoefficient)) return '\u2014';
  return count(Number(price) * workerCoefficient / 1000) + ' nanoTON/token';
}

/** A model name with its version suffix (after '@') on a second, smaller line. */
function modelName(model) {
  if (typeof model !== 'string' || model === '') return null;
  const at = model.indexOf('@');
  return at < 0 ? model : h('span', {}, model.slice(0, at), h('span', { class: 'model-version' }, model.slice(at)));
}

function percent(part, whole) {
  return isNumber(part) && isNumber(whole) && whole > 0 ? Math.round((part / whole) * 100) + '%' : '\u2014';
}

function averageMs(seconds, queries) {
  return isNumber(seconds) && isNumber(queries) && queries > 0 ? Math.round((seconds / queries) * 1000) + ' ms' : '\u2014';
}

function walletSection(wallet) {
  if (!wallet || typeof wallet !== 'object') return null;
  const balance = big(wallet.balance);
  return section('Wallet', 'wallet', facts('wallet', [['Address', wallet.address], ['Balance', balance === null ? null : ton(balance) + ' (' + balance + ' nanoTON)']]));
}

function proxySections(data) {
  const stats = object(data.stats);
  const ledger = object(data.ledger);
  const prices = object(data.prices);
  const status = object(data.status);
  const localconfig = object(data.localconfig);
  const workers = list(data.worker_connections);
  const clients = list(data.clients);
  const running = workers.reduce((sum, worker) => sum + (isNumber(worker.running_queries) ? worker.running_queries : 0), 0);
  const capacity = workers.reduce((sum, worker) => sum + (isNumber(worker.max_running_queries) ? worker.max_running_queries : 0), 0);
  const contract = object(data.smartcontract);
  return [
    cards([
      requestsCard(stats),
      { field: 'tokens', label: 'Billed tokens', value: count(ledger.tokens), sub: 'adjusted \u00b7 ' + count(ledger.requests) + ' billed requests' },
      { field: 'tokens-per-second', label: 'Tokens/s', value: perSecond(stats.total_adjusted_tokens_used), sub: 'last minute' },
      { field: 'client-paid', label: 'Clients paid', ...money(big(ledger.client_paid_nanoton)) },
      { field: 'worker-earned', label: 'Workers earned', ...money(big(ledger.worker_earned_nanoton)) },
      { field: 'commission', label: 'Proxy commission', ...money(big(ledger.proxy_commission_nanoton)) },
      { field: 'workers', label: 'Workers', value: workers.filter((worker) => worker.enabled).length + ' / ' + workers.length, sub: 'enabled / connected' },
      { field: 'load', label: 'Load', value: running + ' / ' + capacity, sub: 'running requests / capacity' },
      data.smartcontract ? { field: 'contract-balance', label: 'Proxy contract', ...money(big(contract.balance)) } : null,
    ]),
    section('Workers', 'workers', table('workers', [
      { key: 'model', label: 'Model', value: (worker) => modelName(worker.model) },
      { key: 'coefficient', label: 'Coefficient', value: (worker) => coefficient(worker.coefficient) },
      { key: 'price', label: 'Price', value: (worker) => workerPrice(prices.price_per_token, worker.coefficient) },
      { key: 'load', label: 'Load', value: (worker) => loadBar(worker.running_queries, worker.max_running_queries) },
      { key: 'requests', label: 'Requests (10 min)', value: (worker) => count(worker.queries_10m) },
      { key: 'success', label: 'Success', value: (worker) => percent(worker.queries_success_10m, worker.queries_10m) },
      { key: 'latency', label: 'Avg time', value: (worker) => averageMs(worker.queries_time_10m, worker.queries_10m) },
      { key: 'enabled', label: 'Enabled', value: (worker) => flag(worker.enabled) },
      { key: 'tee', label: 'TEE', value: (worker) => (worker.tee === 'sev-snp' ? 'sev-snp' : worker.attestation_policy) },
      { key: 'tcb', label: 'TCB', value: (worker) => worker.tcb_status },
      { key: 'image-hash', label: 'Image hash', kind: 'hash', value: (worker) => worker.image_hash },
      { key: 'owner', label: 'Owner', kind: 'address', value: (worker) => worker.owner_address },
    ], workers, 'No worker is connected.')),
    section('Clients', 'clients', table('clients', [
      { key: 'owner', label: 'Owner', kind: 'address', value: (client) => client.owner_address },
      { key: 'used', label: 'Used tokens', value: (client) => count(client.used_tokens) },
      { key: 'to-charge', label: 'To charge', value: (client) => count(client.tokens_to_charge) },
      { key: 'available', label: 'Available tokens', value: (client) => count(client.available_tokens) },
      { key: 'running', label: 'Running', value: (client) => count(client.running_queries) },
      { key: 'state', label: 'State', value: (client) => (client.closed ? 'closed' : client.closing ? 'closing' : 'open') },
    ], clients, 'No client has connected.')),
    section('Attestation', 'attestation', facts('attestation', [
      ['TEE', status.tee], ['Image hash', status.actual_image_hash], ['Trust', status.attestation_trust],
      ['Worker hashes checked against the root', flag(localconfig.check_worker_hashes)],
      ['Worker policy', localconfig.worker_policy], ['Client policy', localconfig.client_policy],
    ])),
    section('Prices', 'prices', facts('prices', [
      ['Price per token', count(prices.price_per_token) + ' nanoTON'], ['Worker fee per token', count(prices.worker_fee_per_token) + ' nanoTON'],
      ['Multipliers', Object.entries(object(prices.multipliers)).map((entry) => entry[0] + ' ' + coefficient(entry[1] / 10)).join(' \u00b7 ')],
      ['Chain', status.chain],
    ])),
    walletSection(data.wallet),
  ];
}

function workerSections(data) {
  const stats = object(data.stats);
  const status = object(data.status);
  const prices = object(data.prices);
  const attestation = object(data.attestation);
  const localconfig = object(data.localconfig);
  const proxies = list(data.proxies);
  const fee = big(prices.worker_fee_per_token);
  const earnedTokens = sumBig(proxies, 'earned_tokens_committed_to_proxy_db');
  const onChain = proxies.some((proxy) => proxy.earned_tokens_committed_to_blockchain !== undefined);
  const cashedOut = sumBig(proxies, 'cached_out_tokens');
  const time = total(stats.time);
  const tokens = total(stats.total_adjusted_tokens_used);
  return [
    cards([
      requestsCard(stats),
      { field: 'active-requests', label: 'Active requests', value: count(data.running_requests) + (isNumber(data.max_active_requests) ? ' / ' + data.max_active_requests : ''), sub: status.enabled ? 'enabled' : 'disabled' },
      { field: 'tokens', label: 'Tokens', value: count(tokens), sub: 'adjusted' },
      { field: 'tokens-per-second', label: 'Tokens/s', value: perSecond(stats.total_adjusted_tokens_used), sub: 'last minute \u00b7 ' + (isNumber(time) && time > 0 && isNumber(tokens) ? (tokens / time).toFixed(1) : '\u2014') + ' per busy second' },
      { field: 'earned', label: 'Earned', ...money(fee === null ? null : earnedTokens * fee, earnedTokens + ' tokens committed by proxies') },
      onChain
        ? { field: 'paid-out', label: 'Paid out', ...money(fee === null ? null : cashedOut * fee, cashedOut + ' tokens cashed out') }
        : { field: 'paid-out', label: 'Paid out', value: '\u2014', sub: 'off chain: no payouts' },
      data.wallet ? { field: 'wallet-balance', label: 'Wallet', ...money(big(object(data.wallet).balance)) } : null,
    ]),
    section('Proxy connections', 'proxies', table('proxies', [
      { key: 'address', label: 'Address', kind: 'address', value: (proxy) => proxy.address },
      { key: 'state', label: 'State', value: (proxy) => proxy.state },
      { key: 'earned', label: 'Earned tokens (proxy db)', value: (proxy) => count(proxy.earned_tokens_committed_to_proxy_db) },
      { key: 'max', label: 'Max known', value: (proxy) => count(proxy.earned_tokens_max_known) },
      { key: 'on-chain', label: 'On chain', value: (proxy) => count(proxy.earned_tokens_committed_to_blockchain) },
      { key: 'cashed-out', label: 'Cashed out', value: (proxy) => count(proxy.cached_out_tokens) },
      { key: 'contract', label: 'Proxy contract', kind: 'address', value: (proxy) => proxy.proxy_sc_address },
    ], proxies, 'Not connected to a proxy.')),
    section('Model and engine', 'engine', facts('engine', [
      ['Model', status.actual_model], ['Engine', status.engine], ['Engine healthy', flag(status.engine_healthy)], ['Enabled', flag(status.enabled)],
      ['Coefficient', coefficient(localconfig.coefficient)], ['Worker fee per token', fee === null ? null : fee + ' nanoTON'], ['Owner', localconfig.owner_address],
    ])),
    section('Attestation', 'attestation', facts('attestation', [
      ['TEE', attestation.tee], ['Image hash', attestation.image_hash], ['Trust', attestation.trust],
      ['Proxy hashes checked against the root', flag(localconfig.check_proxy_hash)], ['Proxy policy', localconfig.proxy_policy],
    ])),
    walletSection(data.wallet),
  ];
}

function clientSections(data) {
  const stats = object(data.stats);
  const status = object(data.status);
  const prices = object(data.prices);
  const localconf = object(data.localconf);
  const connections = list(data.proxy_connections);
  const proxies = list(data.proxies);
  const price = big(prices.price_per_token);
  const tokens = big(stats.adjusted_tokens_used);
  const onChain = proxies.some((proxy) => proxy.stake !== undefined);
  const balance = big(status.wallet_balance);
  const receipts = list(data.receipts);
  return [
    cards([
      requestsCard(stats),
      { field: 'tokens', label: 'Tokens used', value: count(stats.adjusted_tokens_used), sub: 'adjusted' },
      { field: 'spent', label: 'Spent', ...money(price === null || tokens === null ? null : tokens * price, price === null ? '' : tokens + ' tokens \u00d7 ' + price + ' nanoTON') },
      balance === null ? { field: 'wallet-balance', label: 'Wallet', value: '\u2014', sub: 'off chain: no wallet' } : { field: 'wallet-balance', label: 'Wallet', ...money(balance) },
      onChain ? { field: 'stake', label: 'Stake', ...money(sumBig(proxies, 'stake')) } : { field: 'stake', label: 'Stake', value: '\u2014', sub: 'off chain: no contract' },
      onChain ? { field: 'contract-balance', label: 'Contract balance', ...money(sumBig(proxies, 'balance')) } : null,
      { field: 'proxies', label: 'Proxies', value: connections.filter((connection) => connection.is_ready).length + ' / ' + connections.length, sub: 'ready / configured' },
    ]),
    section('Proxy connections', 'proxy-connections', table('proxy-connections', [
      { key: 'address', label: 'Address', kind: 'address', value: (connection) => connection.address },
      { key: 'ready', label: 'Ready', value: (connection) => flag(connection.is_ready) },
      { key: 'contract', label: 'Proxy contract', kind: 'address', value: (connection) => connection.proxy_sc_address },
    ], connections, 'No proxy configured.')),
    section('Accounts', 'accounts', table('accounts', [
      { key: 'contract', label: 'Client contract', kind: 'address', value: (proxy) => proxy.sc_address },
      { key: 'state', label: 'State', value: (proxy) => proxy.state },
      { key: 'balance', label: 'Balance', value: (proxy) => (big(proxy.balance) === null ? null : ton(big(proxy.balance))) },
      { key: 'stake', label: 'Stake', value: (proxy) => (big(proxy.stake) === null ? null : ton(big(proxy.stake))) },
      { key: 'used', label: 'Tokens used (proxy db)', value: (proxy) => count(proxy.tokens_used_proxy_committed_to_db) },
      { key: 'max', label: 'Max known', value: (proxy) => count(proxy.tokens_used_proxy_max) },
    ], proxies, 'No account with a proxy yet.')),
    receipts.length > 0 ? section('Receipts', 'receipts', anyValue(receipts, 0)) : null,
    section('Proxy attestation checks', 'attestation', facts('attestation', [
      ['Proxy hashes checked against the root', flag(localconf.check_proxy_hash)], ['Proxy policy', localconf.proxy_policy], ['Trust', localconf.attestation_trust],
      ['Owner', localconf.owner_address],
    ])),
    walletSection(data.wallet),
  ];
}
`;
