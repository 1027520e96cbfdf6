/**
 * GENERATED FILE, DO NOT EDIT: the text of packages/protocol/schema/cocoon-api.tl (the single source of truth of the
 * wire schema), as a module so that the TL codec loads it without a file read, in Node and in browser bundles alike.
 * Written by packages/protocol/scripts/generate-tl-types.ts: after changing the schema run `npm run generate:tl`
 * (test/tl/generated-types.test.ts fails while this file is stale).
 */

/** The COCOON TL schema text, byte for byte the content of schema/cocoon-api.tl. */
export const COCOON_SCHEMA_TEXT: string = `// COCOON wire schema: the single source of truth for every TL message exchanged between
// client, proxy and worker (reference snapshot b75d444, constructor IDs from the compiled
// cocoon_api.tlo, see docs/protocol.md Appendix A; field layouts from §2.4, §3, §4 and
// Appendix B, checked against the golden frames in test/fixtures/reference-frames.json).
//
// Built-in types (no declaration needed): int (i32), long (i64), double, int128 (16 raw bytes),
// int256 (32 raw bytes), string and bytes (TL length-prefixed, padded to 4), # (u32 flags).
// Field types: a lower-case concrete type (e.g. proxy.params) is serialized BARE, an upper-case
// abstract type (e.g. proxy.SignedPayment) is serialized BOXED (constructor ID first).
// (vector T) is a bare vector: i32 count then the items (bare/boxed by the rule above);
// this is what the reference sends (no #1cb5c415 in front of e.g. http.request headers).

boolFalse#bc799737 = Bool;
boolTrue#997275b5 = Bool;
vector#1cb5c415 {t:Type} # [ t ] = Vector t;

// --- session transport (§2.4) ---
tcp.ping#bbe9627c id:long = tcp.Packet;
tcp.pong#0bd4302c id:long = tcp.Packet;
tcp.packet#9c17baf8 data:bytes = tcp.Packet;
tcp.queryAnswer#c048c311 id:long data:bytes = tcp.Packet;
tcp.queryError#4cd2f602 id:long code:int message:string = tcp.Packet;
tcp.query#3af51908 id:long data:bytes = tcp.Packet;
tcp.connected#636d41d6 id:long = tcp.Packet;
tcp.connect#a57c4261 id:long = tcp.Packet;

// --- wrapped HTTP (§4.2) ---
http.header#8e9be511 name:string value:string = http.Header;
http.response#1cd0c42b http_version:string status_code:int reason:string headers:(vector http.header) payload:bytes = http.Response;

// --- accounting and connection parameters ---
tokensUsed#70c5b15c prompt_tokens_used:long cached_tokens_used:long completion_tokens_used:long reasoning_tokens_used:long total_tokens_used:long = TokensUsed;

client.params#40fdca64 flags:# client_owner_address:string is_test:flags.0?Bool min_proto_version:flags.1?int max_proto_version:flags.1?int = client.Params;
proxy.params#d5c5609f flags:# proxy_public_key:int256 proxy_owner_address:string proxy_sc_address:string is_test:flags.0?Bool proto_version:flags.1?int = proxy.Params;
worker.params#869c73ed flags:# worker_owner_address:string model:string coefficient:int is_test:flags.0?Bool proxy_cnt:flags.0?int max_active_requests:flags.0?int min_proto_version:flags.1?int max_proto_version:flags.1?int machine_description_json:flags.2?string = worker.Params;

// --- signed payments (§6.3) ---
proxy.signedPayment#02998182 data:bytes = proxy.SignedPayment;
proxy.signedPaymentEmpty#b347ce64 = proxy.SignedPayment;

// --- client <-> proxy (§3.1, §4.1, §4.7) ---
client.proxyConnectionAuthShort#d6ffc5af secret_hash:int256 nonce:long = client.ProxyConnectionAuth;
client.proxyConnectionAuthLong#417bf016 nonce:long = client.ProxyConnectionAuth;
client.connectedToProxy#95317ad1 params:proxy.params client_sc_address:string auth:client.ProxyConnectionAuth signed_payment:proxy.SignedPayment = client.ConnectedToProxy;
client.authorizationWithProxySuccess#75d5ac34 signed_payment:proxy.SignedPayment tokens_committed_to_db:long max_tokens:long = client.AuthorizationWithProxy;
client.authorizationWithProxyFailed#60551c96 error_code:int error:string = client.AuthorizationWithProxy;

client.queryAnswer#9b943922 answer:bytes is_completed:Bool request_id:int256 request_tokens_used:tokensUsed = client.QueryAnswer;
client.queryAnswerError#6d60569a error_code:int error:string request_id:int256 request_tokens_used:tokensUsed = client.QueryAnswer;
client.queryAnswerPart#b765de4c answer:bytes is_completed:Bool request_id:int256 request_tokens_used:tokensUsed = client.QueryAnswerPart;
client.queryAnswerPartError#d790a022 error_code:int error:string request_id:int256 request_tokens_used:tokensUsed = client.QueryAnswerPart;

client.queryFinalInfo#69a452f0 flags:# tokens_used:tokensUsed worker_debug:flags.0?string proxy_debug:flags.0?string proxy_start_time:flags.1?double proxy_end_time:flags.1?double worker_start_time:flags.1?double worker_end_time:flags.1?double = client.QueryFinalInfo;
client.queryAnswerEx#cd524720 request_id:int256 answer:bytes flags:# final_info:flags.0?client.queryFinalInfo = client.QueryAnswerEx;
client.queryAnswerErrorEx#072562a8 request_id:int256 error_code:int error:string flags:# final_info:flags.0?client.queryFinalInfo = client.QueryAnswerEx;
client.queryAnswerPartEx#c07bfaec request_id:int256 answer:bytes flags:# final_info:flags.0?client.queryFinalInfo = client.QueryAnswerEx;

client.workerType#8210e21c name:string active_workers:int coefficient_min:int coefficient_bucket50:int coefficient_max:int = client.WorkerType;
client.workerTypes#f64e0e01 types:(vector client.workerType) = client.WorkerTypes;
client.workerInstanceV2#3ea93d00 flags:# coefficient:int active_requests:int max_active_requests:int = client.WorkerInstanceV2;
client.workerTypeV2#b27d8197 name:string workers:(vector client.workerInstanceV2) = client.WorkerTypeV2;
client.workerTypesV2#0cf0dc67 types:(vector client.workerTypeV2) = client.WorkerTypesV2;

client.paymentStatus#aa8a0ecc signed_payment:proxy.SignedPayment db_tokens:long max_tokens:long = client.PaymentStatus;
client.refund#83aabead data:bytes = client.Refund;
client.refundRejected#cf9d9957 active_queries:long = client.Refund;

// --- proxy -> client / worker ---
proxy.clientRequestPayment#c6bcf127 request_id:int256 signed_payment:proxy.SignedPayment db_tokens:long max_tokens:long request_tokens:long = proxy.ClientRequestPayment;
proxy.workerRequestPayment#1436c0d5 request_id:int256 signed_payment:proxy.SignedPayment db_tokens:long max_tokens:long request_tokens:long request_client_owner:string = proxy.WorkerRequestPayment;

proxy.queryAnswer#37e5f725 answer:bytes is_completed:Bool request_id:int256 tokens_used:tokensUsed = proxy.QueryAnswer;
proxy.queryAnswerError#669d014e error_code:int error:string request_id:int256 tokens_used:tokensUsed = proxy.QueryAnswer;
proxy.queryAnswerPart#72eb00ee answer:bytes is_completed:Bool request_id:int256 tokens_used:tokensUsed = proxy.QueryAnswerPart;
proxy.queryAnswerPartError#940e1168 error_code:int error:string request_id:int256 tokens_used:tokensUsed = proxy.QueryAnswerPart;

proxy.queryFinalInfo#e794e6fc flags:# tokens_used:tokensUsed worker_debug:flags.0?string worker_start_time:flags.1?double worker_end_time:flags.1?double = proxy.QueryFinalInfo;
proxy.queryAnswerEx#1ce574e8 request_id:int256 answer:bytes flags:# final_info:flags.0?proxy.queryFinalInfo = proxy.QueryAnswerEx;
proxy.queryAnswerErrorEx#8f7fb0a7 request_id:int256 error_code:int error:string flags:# final_info:flags.0?proxy.queryFinalInfo = proxy.QueryAnswerEx;
proxy.queryAnswerPartEx#6d85b50f request_id:int256 answer:bytes flags:# final_info:flags.0?proxy.queryFinalInfo = proxy.QueryAnswerEx;

// --- worker <-> proxy (§3.2) ---
worker.enabledDisabled#b3b71039 disabled:int = worker.EnabledDisabled;
worker.newCoefficient#6af092b0 new_coefficient:int = worker.NewCoefficient;
worker.connectedToProxy#66bc82ee params:proxy.params worker_sc_address:string = worker.ConnectedToProxy;
worker.compareBalanceWithProxyResult#9054c411 signed_payment:proxy.SignedPayment tokens_committed_to_db:long max_tokens:long error_code:int = worker.CompareBalanceWithProxyResult;
worker.extendedCompareBalanceWithProxyResult#0c10973e error_code:int = worker.ExtendedCompareBalanceWithProxyResult;
worker.proxyHandshakeCompleted#3ad9b886 = worker.HandshakeCompleted;
worker.paymentStatus#a88bd701 signed_payment:proxy.SignedPayment db_tokens:long max_tokens:long = worker.PaymentStatus;
worker.changedModel#34029366 = worker.ChangedModel;

// --- proto 3-4 (reference 9060ce5): root configuration view, key manager (docs/protocol.md §13) ---
rootConfig.registeredProxy#9f4e446a seqno:int address:string = rootConfig.RegisteredProxy;
rootConfig.registeredPublicKey#37312ecd public_key:int256 key_type:int expire_at:int = rootConfig.RegisteredPublicKey;
rootConfig.configV7#c51207cb root_owner_address:string proxy_hashes:(vector int256) registered_proxies:(vector rootConfig.registeredProxy) last_proxy_seqno:int worker_hashes:(vector int256) model_hashes:(vector int256) version:int struct_version:int params_version:int unique_id:int is_test:int price_per_token:long worker_fee_per_token:long prompt_tokens_price_multiplier:int cached_tokens_price_multiplier:int completion_tokens_price_multiplier:int reasoning_tokens_price_multiplier:int proxy_delay_before_close:int client_delay_before_close:int min_proxy_stake:long min_client_stake:long registered_public_keys:(vector rootConfig.registeredPublicKey) key_manager_public_key:int256 key_manager_image_hash:int256 key_manager_address:string verified_proxy_keys:(vector int256) verified_worker_keys:(vector int256) verified_key_manager_keys:(vector int256) proxy_sc_code:string worker_sc_code:string client_sc_code:string = rootConfig.Config;
keyManager.privateKey#60f4f8e7 valid_until_utime:int private_key:int256 = keyManager.PrivateKey;
keyManager.privateKeys#0ed66ce5 keys:(vector keyManager.privateKey) = keyManager.PrivateKeys;
keyManagerDb.key#35c91007 private_key:int256 key_type:int valid_since_config_version:int valid_since_utime:int valid_until_utime:int = keyManagerDb.Key;

// --- COCOON-TS extensions (negotiated, never sent to reference peers; docs/protocol.md §19) ---
// Sent only on a session whose TLS handshake selected ALPN "cocoon-ext-1"; IDs are the CRC32 of the
// canonical line (the reference's rule) and collide with no reference ID (test/tl/tl-codec.test.ts).
ext.cancelQuery#2e7fa745 request_id:int256 = ext.Message;
ext.grantCredit#02c38332 request_id:int256 bytes:long = ext.Message;
// Coded errors: the reference error answer plus our stable CCN_ERR_* code (client = what the client
// receives, proxy = what the proxy receives, like client./proxy.queryAnswerErrorEx).
ext.clientQueryAnswerErrorCoded#84f0767b request_id:int256 error_code:int error:string ccn_code:string flags:# final_info:flags.0?client.queryFinalInfo = ext.Message;
ext.proxyQueryAnswerErrorCoded#edd3acd0 request_id:int256 error_code:int error:string ccn_code:string flags:# final_info:flags.0?proxy.queryFinalInfo = ext.Message;
// End-to-end encryption to attested workers (extension "e2e", docs/protocol.md §22): worker evidence
// (its RA-TLS certificate signing its HPKE and receipt keys), the sealed request, sealed answer chunks, receipts.
ext.e2eKey#0d810a47 hpke_public_key:int256 signing_public_key:int256 model:string valid_from:int valid_until:int = ext.E2eKey;
ext.e2eKeySet#03fd4d5d certificate_public_key:int256 issued_at:int keys:(vector ext.e2eKey) = ext.E2eKeySet;
ext.e2eEvidence#80858c4f certificate:bytes key_set:ext.e2eKeySet signature:bytes = ext.E2eEvidence;
ext.workerE2eEvidence#ed51b604 evidence:ext.e2eEvidence = ext.Message;
ext.e2eWorker#9047b6c1 coefficient:int active_requests:int max_active_requests:int evidence:ext.e2eEvidence = ext.E2eWorker;
ext.e2eWorkers#7441e53c workers:(vector ext.e2eWorker) = ext.E2eWorkers;
ext.e2eRequestHeader#672f854b version:int request_id:int256 model:string created_at_ms:long max_tokens:int max_coefficient:int timeout_ms:int recipients:(vector int256) = ext.E2eRequestHeader;
ext.e2eRecipient#1cafe179 hpke_public_key:int256 enc:bytes wrapped_key:bytes = ext.E2eRecipient;
ext.e2eRequest#878d4922 header:ext.e2eRequestHeader recipients:(vector ext.e2eRecipient) ciphertext:bytes = ext.E2eRequest;
ext.e2eAnswerChunk#6d386502 seq:int flags:# ciphertext:bytes = ext.E2eAnswerChunk;
ext.e2eReceiptBody#3482afc4 request_id:int256 request_hash:int256 answer_hash:int256 answer_chunks:int status:int model:string hpke_public_key:int256 signing_public_key:int256 tokens_used:tokensUsed coefficient:int price_per_token:long cost_nanoton:long worker_start_ms:long worker_end_ms:long proxy:string = ext.E2eReceiptBody;
ext.e2eSignedReceipt#d437b9f8 body:ext.e2eReceiptBody signature:bytes = ext.E2eSignedReceipt;
ext.e2eReceipt#37fe378d request_id:int256 receipt:ext.e2eSignedReceipt = ext.Message;
// Market routing (extension "market", docs/protocol.md §4.4/§19): client.runQueryEx's fields plus the app's
// provider preferences (sort "" | price | latency | throughput), and the proxy's per-worker market view.
ext.runQueryWithPreferences#98d3c86b model_name:string query:bytes max_coefficient:int max_tokens:int timeout:double request_id:int256 min_config_version:int flags:# enable_debug:flags.0?Bool public_key:flags.1?int256 sort:string allow_fallbacks:Bool = ext.Message;
ext.marketWorker#4da78168 flags:# coefficient:int active_requests:int max_active_requests:int success_rate:double cooling_down:Bool score:double ttft_ms:flags.0?double tokens_per_second:flags.1?double = ext.MarketWorker;
ext.marketModel#0555e1b9 name:string workers:(vector ext.marketWorker) = ext.MarketModel;
ext.market#50e23f99 models:(vector ext.marketModel) = ext.Market;

---functions---

http.request#47492de5 method:string url:string http_version:string headers:(vector http.header) payload:bytes = http.Response;

client.connectToProxy#ff5fa0f4 params:client.params min_config_version:int = client.ConnectedToProxy;
client.authorizeWithProxyShort#6c276723 data:bytes = client.AuthorizationWithProxy;
client.authorizeWithProxyLong#d3474303 = client.AuthorizationWithProxy;
client.runQuery#bc748f32 model_name:string query:bytes max_coefficient:int max_tokens:int timeout:double request_id:int256 min_config_version:int = client.QueryAnswer;
client.runQueryEx#f54cb74b model_name:string query:bytes max_coefficient:int max_tokens:int timeout:double request_id:int256 min_config_version:int flags:# enable_debug:flags.0?Bool public_key:flags.1?int256 = client.QueryAnswerEx;
client.requestRefund#238d863d = client.Refund;
client.updatePaymentStatus#9ed1c697 = client.PaymentStatus;
client.getWorkerTypes#7f062bdb = client.WorkerTypes;
client.getWorkerTypesV2#b2133d72 = client.WorkerTypesV2;

proxy.runQuery#47182416 query:bytes signed_payment:proxy.SignedPayment coefficient:long timeout:double request_id:int256 = proxy.QueryAnswer;
proxy.runQueryEx#c805e7e2 query:bytes signed_payment:proxy.SignedPayment coefficient:long timeout:double request_id:int256 flags:# enable_debug:flags.0?Bool private_key:flags.1?int256 = proxy.QueryAnswer;

worker.connectToProxy#cc484c5d params:worker.params = worker.ConnectedToProxy;
worker.compareBalanceWithProxy#db386501 tokens_committed_to_blockchain:long tokens_committed_to_db:long max_tokens:long = worker.CompareBalanceWithProxyResult;
worker.extendedCompareBalanceWithProxy#f8dd9914 tokens_committed_to_db:long other:bytes = worker.ExtendedCompareBalanceWithProxyResult;
worker.proxyHandshakeComplete#f843b066 is_disabled:Bool = worker.HandshakeCompleted;
worker.updatePaymentStatus#dc70a524 = worker.PaymentStatus;
worker.changeModel#72662cee new_model:string = worker.ChangedModel;

keyManager.getWorkerPrivateKeys#4b90e9b1 proto_version:int = keyManager.PrivateKeys;
keyManager.getProxyPrivateKeys#4135d0bd proto_version:int = keyManager.PrivateKeys;

// COCOON-TS extension functions (negotiated, §19/§22).
ext.getE2eWorkers#db01fb17 model:string = ext.E2eWorkers;
ext.getMarket#b5f0ac8f = ext.Market;
`;
