/** The text of `cocoon help`. */

export const COCOON_HELP_TEXT = `cocoon: run a COCOON network (client -> proxy -> workers) on this machine

usage:
  cocoon dev [options]                   start a local network on a local TON chain: chain, root
                                         contract, proxy, 2 workers (embedded llama.cpp), client
  cocoon dev settle [--proxy-http-port P] [--admin-token-file F]
                                         force every pending charge and payout on chain, wait,
                                         print one JSON line (tokens, client paid, worker earned,
                                         proxy commission, in nanoTON); authorizes with the proxy's
                                         admin token (default .cocoon/dev/proxy/admin.token)
  cocoon chain [--port 8081] [--data-dir DIR]
                                         run a local TON chain (emulator, toncenter v2 API, faucet)
  cocoon client [--config FILE] [...]    run a client runner (OpenAI-compatible API on :10000)
  cocoon proxy  [--config FILE] [...]    run a proxy runner (stats :11000, workers :11001, clients :11002)
  cocoon worker [--config FILE] [...]    run a worker runner (stats :12000): --engine-url URL, or
                                         --engine llama --model-path FILE.gguf [--model-identity ID]
  cocoon key-manager [--config FILE] [...]
                                         run a key manager (stats :13000, key requests :13001)
  cocoon models pull hf:<owner>/<repo>/<file>.gguf[@revision] [--sha256 HEX] [--cache-dir DIR] [--base-url URL]
                                         download a GGUF into the model cache (resumable, SHA-256
                                         verified); prints its identity name@revision:sha256
  cocoon models list [--cache-dir DIR]   list cached models with their identities
                                         (cache: --cache-dir, $COCOON_MODELS_DIR, ~/.cache/cocoon/models)
  cocoon attest self [--tee simulated|simulated-sev-snp|tdx|sev-snp|fake_tdx] [--role R] [--authority-dir DIR] [--json]
                                         this machine's measurements (TDX: MRTD, RTMR0-3; SEV-SNP:
                                         MEASUREMENT) and image hash, and what goes into them
  cocoon attest verify-quote FILE [--collateral FILE] [--at ISO-TIME] [--allow-status S,...] [--json]
                                         verify a TDX quote (DCAP with collateral; without it only the
                                         signature chain to Intel: TCB status not checked)
  cocoon attest verify-report FILE --vcek FILE [--chain FILE --crl FILE | --dev-authority DIR] [--json]
                                         verify an AMD SEV-SNP report (VCEK -> ASK -> pinned ARK, CRL)
  cocoon attest verify-peer HOST:PORT [--policy tdx|fake_tdx|any] [--dev-authority DIR] [--json]
                                         connect, show and verify the peer's RA-TLS certificate
                                         (TDX or SEV-SNP; exit 0 verified, 1 refused)
  cocoon attest verify-certificate FILE [--policy tdx|fake_tdx|any] [--dev-authority DIR] [--json]
                                         the same for an RA-TLS certificate file (PEM or DER)
  cocoon wallet new --key-file FILE [--owner ADDR]
                                         create a node wallet key (0600; never overwrites one)
  cocoon wallet show|balance (--key-file FILE --owner ADDR | --role R --config FILE) [--ton-endpoint URL]
                                         the wallet's addresses (non-bounceable, bounceable, raw) / its
                                         balance on chain against the runners' 2.1 TON minimum
  cocoon client topup [--amount TON] | withdraw | close | charge [--proxy PROXY_SC]
  cocoon worker cashout [--proxy PROXY_SC] | enable | disable | set-coefficient MULTIPLIER
  cocoon proxy withdraw
                                         operate the RUNNING runner's contracts through its admin
                                         endpoint (token from its admin_token_file); prints the new
                                         contract state, wallet balances and, with --ton-endpoint (or
                                         the config's ton_endpoint), the transaction hashes; options
                                         --config FILE --stats-url URL --admin-token-file FILE --json
  cocoon chat --model MODEL [--e2e] [--json] [--max-tokens N] [--config FILE] [--url URL] "prompt"
                                         one chat completion through the running client runner, end
                                         to end encrypted to an attested worker (evidence verified
                                         here with the client config's trust); streams the answer;
                                         --e2e refuses to send in clear (default: clear, with a
                                         warning, when no e2e worker serves the model); --json: one
                                         line {answer, usage, cost, e2e, receipt}
  cocoon client audit [--config FILE] [--stats-url URL] [--admin-token-file FILE] [--json]
                                         the running client's charges vs the workers' signed
                                         receipts; exit 1 when tokens were charged that no receipt covers
  cocoon doctor --role worker|proxy|client|key-manager [--config FILE] [--json]
                                         check TEE, image and model hashes against the root, engine
                                         usage reporting, wallet balance, ports and clock; exit 1 on a
                                         failed check (docs/operations.md lists the fixes)
  cocoon test-engine [--port 8000] [--chunks N --chunk-bytes B]
                                         run the TEST inference engine (canned answers, not a model);
                                         --chunks/--chunk-bytes: the reference benchmark's answer shape;
                                         --response-delay-ms/--chunk-delay-ms: paced answers
  cocoon help                            show this text ('cocoon <role> --help' lists a role's config keys)

role config: defaults <- JSON file (--config, snake_case keys) <- env COCOON_<ROLE>_<KEY>
  <- flags --kebab-key value. Unknown keys are errors. Security-sensitive keys set in the
  file (peer policies; the lists http_cors_origins and http_allowed_hosts) cannot be weakened
  (or widened) by env or flags. Each runner's /request/* control endpoints need
  'Authorization: Bearer <token>' with the token from its admin_token_file (created on first start).

cocoon dev options (also env COCOON_DEV_<OPTION>):
  --engine llama|openai|test llama (default): every worker embeds llama.cpp; openai: forward to
                             --engine-url (default when given); test: the canned TEST ENGINE
  --engine-url URL           use this OpenAI-compatible engine (vLLM, SGLang, Ollama, llama-server)
  --model PATH|NAME          llama: the GGUF to serve (default: the newest model in the cache, else
                             a generated tiny random-weights GGUF that only proves the loading path);
                             openai/test: the model name the workers serve (default: the engine's
                             first model, or test/tiny-chat with the test engine)
  --models-dir DIR           llama: the model cache (default $COCOON_MODELS_DIR or ~/.cache/cocoon/models)
  --llama-threads N          llama: decoding threads per worker (default 1 under CI, else min(4, cores))
  --pow-difficulty N         proxy PoW difficulty (default 16 so the dev network starts fast;
                             production proxies use 20)
  --workers N                number of workers (default 2)
  --tee KIND                 how the runners attest: simulated (default; simulated TDX quotes under a dev root),
                             simulated-sev-snp (simulated SEV-SNP reports under a dev ARK), mixed (odd workers
                             SEV-SNP, the rest TDX) or fake_tdx (unattested test mode)
  --data-dir DIR             chain state, keys and the proxy ledger (default .cocoon/dev; survives restarts)
  --off-chain                no chain: in-memory accounting, configured dev clients (tests only)
  --base-port-offset N       add N to every default port
  --client-port P            client API port (default 10000)
  --proxy-http-port P        proxy stats port (default 11000)
  --proxy-worker-port P      proxy port for workers (default 11001)
  --proxy-client-port P      proxy port for clients (default 11002)
  --worker-http-port P       worker 1 stats port (default 12000; worker N adds 10 per worker)
  --engine-port P            test engine port (default 8000)
  --ready-timeout-seconds S  how long each child may take to become ready (default 60)
  --no-light-client          do not build the light-client page (by default the client serves it at
                             http://127.0.0.1:10000/app/: a chat that verifies attestation and seals
                             prompts in the browser, shaped as a Telegram Mini App)
  --app-origin ORIGIN        let pages from ORIGIN (https://host[:port], e.g. the page served through an
                             https tunnel for a Telegram Mini App) use the client: added to its
                             http_cors_origins, the host to its http_allowed_hosts (repeatable)
  --telegram-bot-token-file F  serve only the Mini App users of the bot whose token F holds (mode 600):
                             the client's telegram_bot_token_file (default: off, no init data needed)

environment: COCOON_LOG_LEVEL=debug|info|warn|error (logs go to stderr)
             COCOON_LOG_FORMAT=text|json, or the global flag --log-format json (any command):
             one JSON object per line {time, level, role, msg, fields}, secrets redacted
`;
