/**
 * GENERATED FILE, DO NOT EDIT: TypeScript types of every COCOON wire message, generated from
 * packages/protocol/schema/cocoon-api.tl by packages/protocol/scripts/generate-tl-types.ts.
 * After changing the schema run `npm run generate:tl` (test/tl/generated-types.test.ts fails while this file is stale).
 *
 * One type per constructor and function, named in PascalCase after its TL name (client.runQueryEx → ClientRunQueryEx),
 * with `_` as its literal discriminant; one union per boxed TL type, named after the type (client.ProxyConnectionAuth →
 * ClientProxyConnectionAuth), or with a `Type` suffix where that name is already a constructor's (tcp.Packet → TcpPacketType).
 * Values as the codec produces them: int, double and # → number, long → bigint, int128, int256 and bytes → Buffer,
 * string → string (a string whose bytes are not valid UTF-8 decodes as a Buffer, which these types do not model),
 * Bool and `true` → boolean, (vector T) → T[]. Conditional `flags.N?` fields are optional; `flags` is optional too (on
 * encode it is computed from the optional fields present), and `<Name>Flag` holds the bit of each conditional field.
 */

/** Constructor `boolFalse#bc799737` of `Bool`. */
export type BoolFalse = { _: 'boolFalse' };

/** Constructor `boolTrue#997275b5` of `Bool`. */
export type BoolTrue = { _: 'boolTrue' };

/** Constructor `tcp.ping#bbe9627c` of `tcp.Packet`. */
export type TcpPing = { _: 'tcp.ping'; id: bigint };

/** Constructor `tcp.pong#0bd4302c` of `tcp.Packet`. */
export type TcpPong = { _: 'tcp.pong'; id: bigint };

/** Constructor `tcp.packet#9c17baf8` of `tcp.Packet`. */
export type TcpPacket = { _: 'tcp.packet'; data: Buffer };

/** Constructor `tcp.queryAnswer#c048c311` of `tcp.Packet`. */
export type TcpQueryAnswer = { _: 'tcp.queryAnswer'; id: bigint; data: Buffer };

/** Constructor `tcp.queryError#4cd2f602` of `tcp.Packet`. */
export type TcpQueryError = { _: 'tcp.queryError'; id: bigint; code: number; message: string };

/** Constructor `tcp.query#3af51908` of `tcp.Packet`. */
export type TcpQuery = { _: 'tcp.query'; id: bigint; data: Buffer };

/** Constructor `tcp.connected#636d41d6` of `tcp.Packet`. */
export type TcpConnected = { _: 'tcp.connected'; id: bigint };

/** Constructor `tcp.connect#a57c4261` of `tcp.Packet`. */
export type TcpConnect = { _: 'tcp.connect'; id: bigint };

/** Constructor `http.header#8e9be511` of `http.Header`. */
export type HttpHeader = { _: 'http.header'; name: string; value: string };

/** Constructor `http.response#1cd0c42b` of `http.Response`. */
export type HttpResponse = { _: 'http.response'; http_version: string; status_code: number; reason: string; headers: HttpHeader[]; payload: Buffer };

/** Constructor `tokensUsed#70c5b15c` of `TokensUsed`. */
export type TokensUsed = {
  _: 'tokensUsed'; prompt_tokens_used: bigint; cached_tokens_used: bigint; completion_tokens_used: bigint; reasoning_tokens_used: bigint;
  total_tokens_used: bigint;
};

/** Constructor `client.params#40fdca64` of `client.Params`. */
export type ClientParams = {
  _: 'client.params'; flags?: number; client_owner_address: string; is_test?: boolean; min_proto_version?: number; max_proto_version?: number;
};
export const ClientParamsFlag = { is_test: 1 << 0, min_proto_version: 1 << 1, max_proto_version: 1 << 1 } as const;

/** Constructor `proxy.params#d5c5609f` of `proxy.Params`. */
export type ProxyParams = {
  _: 'proxy.params'; flags?: number; proxy_public_key: Buffer; proxy_owner_address: string; proxy_sc_address: string; is_test?: boolean; proto_version?: number;
};
export const ProxyParamsFlag = { is_test: 1 << 0, proto_version: 1 << 1 } as const;

/** Constructor `worker.params#869c73ed` of `worker.Params`. */
export type WorkerParams = {
  _: 'worker.params'; flags?: number; worker_owner_address: string; model: string; coefficient: number; is_test?: boolean; proxy_cnt?: number;
  max_active_requests?: number; min_proto_version?: number; max_proto_version?: number; machine_description_json?: string;
};
export const WorkerParamsFlag = {
  is_test: 1 << 0, proxy_cnt: 1 << 0, max_active_requests: 1 << 0, min_proto_version: 1 << 1, max_proto_version: 1 << 1, machine_description_json: 1 << 2,
} as const;

/** Constructor `proxy.signedPayment#02998182` of `proxy.SignedPayment`. */
export type ProxySignedPayment = { _: 'proxy.signedPayment'; data: Buffer };

/** Constructor `proxy.signedPaymentEmpty#b347ce64` of `proxy.SignedPayment`. */
export type ProxySignedPaymentEmpty = { _: 'proxy.signedPaymentEmpty' };

/** Constructor `client.proxyConnectionAuthShort#d6ffc5af` of `client.ProxyConnectionAuth`. */
export type ClientProxyConnectionAuthShort = { _: 'client.proxyConnectionAuthShort'; secret_hash: Buffer; nonce: bigint };

/** Constructor `client.proxyConnectionAuthLong#417bf016` of `client.ProxyConnectionAuth`. */
export type ClientProxyConnectionAuthLong = { _: 'client.proxyConnectionAuthLong'; nonce: bigint };

/** Constructor `client.connectedToProxy#95317ad1` of `client.ConnectedToProxy`. */
export type ClientConnectedToProxy = {
  _: 'client.connectedToProxy'; params: ProxyParams; client_sc_address: string; auth: ClientProxyConnectionAuth; signed_payment: ProxySignedPaymentType;
};

/** Constructor `client.authorizationWithProxySuccess#75d5ac34` of `client.AuthorizationWithProxy`. */
export type ClientAuthorizationWithProxySuccess = {
  _: 'client.authorizationWithProxySuccess'; signed_payment: ProxySignedPaymentType; tokens_committed_to_db: bigint; max_tokens: bigint;
};

/** Constructor `client.authorizationWithProxyFailed#60551c96` of `client.AuthorizationWithProxy`. */
export type ClientAuthorizationWithProxyFailed = { _: 'client.authorizationWithProxyFailed'; error_code: number; error: string };

/** Constructor `client.queryAnswer#9b943922` of `client.QueryAnswer`. */
export type ClientQueryAnswer = { _: 'client.queryAnswer'; answer: Buffer; is_completed: boolean; request_id: Buffer; request_tokens_used: TokensUsed };

/** Constructor `client.queryAnswerError#6d60569a` of `client.QueryAnswer`. */
export type ClientQueryAnswerError = { _: 'client.queryAnswerError'; error_code: number; error: string; request_id: Buffer; request_tokens_used: TokensUsed };

/** Constructor `client.queryAnswerPart#b765de4c` of `client.QueryAnswerPart`. */
export type ClientQueryAnswerPart = { _: 'client.queryAnswerPart'; answer: Buffer; is_completed: boolean; request_id: Buffer; request_tokens_used: TokensUsed };

/** Constructor `client.queryAnswerPartError#d790a022` of `client.QueryAnswerPart`. */
export type ClientQueryAnswerPartError = {
  _: 'client.queryAnswerPartError'; error_code: number; error: string; request_id: Buffer; request_tokens_used: TokensUsed;
};

/** Constructor `client.queryFinalInfo#69a452f0` of `client.QueryFinalInfo`. */
export type ClientQueryFinalInfo = {
  _: 'client.queryFinalInfo'; flags?: number; tokens_used: TokensUsed; worker_debug?: string; proxy_debug?: string; proxy_start_time?: number;
  proxy_end_time?: number; worker_start_time?: number; worker_end_time?: number;
};
export const ClientQueryFinalInfoFlag = {
  worker_debug: 1 << 0, proxy_debug: 1 << 0, proxy_start_time: 1 << 1, proxy_end_time: 1 << 1, worker_start_time: 1 << 1, worker_end_time: 1 << 1,
} as const;

/** Constructor `client.queryAnswerEx#cd524720` of `client.QueryAnswerEx`. */
export type ClientQueryAnswerEx = { _: 'client.queryAnswerEx'; request_id: Buffer; answer: Buffer; flags?: number; final_info?: ClientQueryFinalInfo };
export const ClientQueryAnswerExFlag = { final_info: 1 << 0 } as const;

/** Constructor `client.queryAnswerErrorEx#072562a8` of `client.QueryAnswerEx`. */
export type ClientQueryAnswerErrorEx = {
  _: 'client.queryAnswerErrorEx'; request_id: Buffer; error_code: number; error: string; flags?: number; final_info?: ClientQueryFinalInfo;
};
export const ClientQueryAnswerErrorExFlag = { final_info: 1 << 0 } as const;

/** Constructor `client.queryAnswerPartEx#c07bfaec` of `client.QueryAnswerEx`. */
export type ClientQueryAnswerPartEx = { _: 'client.queryAnswerPartEx'; request_id: Buffer; answer: Buffer; flags?: number; final_info?: ClientQueryFinalInfo };
export const ClientQueryAnswerPartExFlag = { final_info: 1 << 0 } as const;

/** Constructor `client.workerType#8210e21c` of `client.WorkerType`. */
export type ClientWorkerType = {
  _: 'client.workerType'; name: string; active_workers: number; coefficient_min: number; coefficient_bucket50: number; coefficient_max: number;
};

/** Constructor `client.workerTypes#f64e0e01` of `client.WorkerTypes`. */
export type ClientWorkerTypes = { _: 'client.workerTypes'; types: ClientWorkerType[] };

/** Constructor `client.workerInstanceV2#3ea93d00` of `client.WorkerInstanceV2`. */
export type ClientWorkerInstanceV2 = {
  _: 'client.workerInstanceV2'; flags?: number; coefficient: number; active_requests: number; max_active_requests: number;
};

/** Constructor `client.workerTypeV2#b27d8197` of `client.WorkerTypeV2`. */
export type ClientWorkerTypeV2 = { _: 'client.workerTypeV2'; name: string; workers: ClientWorkerInstanceV2[] };

/** Constructor `client.workerTypesV2#0cf0dc67` of `client.WorkerTypesV2`. */
export type ClientWorkerTypesV2 = { _: 'client.workerTypesV2'; types: ClientWorkerTypeV2[] };

/** Constructor `client.paymentStatus#aa8a0ecc` of `client.PaymentStatus`. */
export type ClientPaymentStatus = { _: 'client.paymentStatus'; signed_payment: ProxySignedPaymentType; db_tokens: bigint; max_tokens: bigint };

/** Constructor `client.refund#83aabead` of `client.Refund`. */
export type ClientRefund = { _: 'client.refund'; data: Buffer };

/** Constructor `client.refundRejected#cf9d9957` of `client.Refund`. */
export type ClientRefundRejected = { _: 'client.refundRejected'; active_queries: bigint };

/** Constructor `proxy.clientRequestPayment#c6bcf127` of `proxy.ClientRequestPayment`. */
export type ProxyClientRequestPayment = {
  _: 'proxy.clientRequestPayment'; request_id: Buffer; signed_payment: ProxySignedPaymentType; db_tokens: bigint; max_tokens: bigint; request_tokens: bigint;
};

/** Constructor `proxy.workerRequestPayment#1436c0d5` of `proxy.WorkerRequestPayment`. */
export type ProxyWorkerRequestPayment = {
  _: 'proxy.workerRequestPayment'; request_id: Buffer; signed_payment: ProxySignedPaymentType; db_tokens: bigint; max_tokens: bigint; request_tokens: bigint;
  request_client_owner: string;
};

/** Constructor `proxy.queryAnswer#37e5f725` of `proxy.QueryAnswer`. */
export type ProxyQueryAnswer = { _: 'proxy.queryAnswer'; answer: Buffer; is_completed: boolean; request_id: Buffer; tokens_used: TokensUsed };

/** Constructor `proxy.queryAnswerError#669d014e` of `proxy.QueryAnswer`. */
export type ProxyQueryAnswerError = { _: 'proxy.queryAnswerError'; error_code: number; error: string; request_id: Buffer; tokens_used: TokensUsed };

/** Constructor `proxy.queryAnswerPart#72eb00ee` of `proxy.QueryAnswerPart`. */
export type ProxyQueryAnswerPart = { _: 'proxy.queryAnswerPart'; answer: Buffer; is_completed: boolean; request_id: Buffer; tokens_used: TokensUsed };

/** Constructor `proxy.queryAnswerPartError#940e1168` of `proxy.QueryAnswerPart`. */
export type ProxyQueryAnswerPartError = { _: 'proxy.queryAnswerPartError'; error_code: number; error: string; request_id: Buffer; tokens_used: TokensUsed };

/** Constructor `proxy.queryFinalInfo#e794e6fc` of `proxy.QueryFinalInfo`. */
export type ProxyQueryFinalInfo = {
  _: 'proxy.queryFinalInfo'; flags?: number; tokens_used: TokensUsed; worker_debug?: string; worker_start_time?: number; worker_end_time?: number;
};
export const ProxyQueryFinalInfoFlag = { worker_debug: 1 << 0, worker_start_time: 1 << 1, worker_end_time: 1 << 1 } as const;

/** Constructor `proxy.queryAnswerEx#1ce574e8` of `proxy.QueryAnswerEx`. */
export type ProxyQueryAnswerEx = { _: 'proxy.queryAnswerEx'; request_id: Buffer; answer: Buffer; flags?: number; final_info?: ProxyQueryFinalInfo };
export const ProxyQueryAnswerExFlag = { final_info: 1 << 0 } as const;

/** Constructor `proxy.queryAnswerErrorEx#8f7fb0a7` of `proxy.QueryAnswerEx`. */
export type ProxyQueryAnswerErrorEx = {
  _: 'proxy.queryAnswerErrorEx'; request_id: Buffer; error_code: number; error: string; flags?: number; final_info?: ProxyQueryFinalInfo;
};
export const ProxyQueryAnswerErrorExFlag = { final_info: 1 << 0 } as const;

/** Constructor `proxy.queryAnswerPartEx#6d85b50f` of `proxy.QueryAnswerEx`. */
export type ProxyQueryAnswerPartEx = { _: 'proxy.queryAnswerPartEx'; request_id: Buffer; answer: Buffer; flags?: number; final_info?: ProxyQueryFinalInfo };
export const ProxyQueryAnswerPartExFlag = { final_info: 1 << 0 } as const;

/** Constructor `worker.enabledDisabled#b3b71039` of `worker.EnabledDisabled`. */
export type WorkerEnabledDisabled = { _: 'worker.enabledDisabled'; disabled: number };

/** Constructor `worker.newCoefficient#6af092b0` of `worker.NewCoefficient`. */
export type WorkerNewCoefficient = { _: 'worker.newCoefficient'; new_coefficient: number };

/** Constructor `worker.connectedToProxy#66bc82ee` of `worker.ConnectedToProxy`. */
export type WorkerConnectedToProxy = { _: 'worker.connectedToProxy'; params: ProxyParams; worker_sc_address: string };

/** Constructor `worker.compareBalanceWithProxyResult#9054c411` of `worker.CompareBalanceWithProxyResult`. */
export type WorkerCompareBalanceWithProxyResult = {
  _: 'worker.compareBalanceWithProxyResult'; signed_payment: ProxySignedPaymentType; tokens_committed_to_db: bigint; max_tokens: bigint; error_code: number;
};

/** Constructor `worker.extendedCompareBalanceWithProxyResult#0c10973e` of `worker.ExtendedCompareBalanceWithProxyResult`. */
export type WorkerExtendedCompareBalanceWithProxyResult = { _: 'worker.extendedCompareBalanceWithProxyResult'; error_code: number };

/** Constructor `worker.proxyHandshakeCompleted#3ad9b886` of `worker.HandshakeCompleted`. */
export type WorkerProxyHandshakeCompleted = { _: 'worker.proxyHandshakeCompleted' };

/** Constructor `worker.paymentStatus#a88bd701` of `worker.PaymentStatus`. */
export type WorkerPaymentStatus = { _: 'worker.paymentStatus'; signed_payment: ProxySignedPaymentType; db_tokens: bigint; max_tokens: bigint };

/** Constructor `worker.changedModel#34029366` of `worker.ChangedModel`. */
export type WorkerChangedModel = { _: 'worker.changedModel' };

/** Constructor `rootConfig.registeredProxy#9f4e446a` of `rootConfig.RegisteredProxy`. */
export type RootConfigRegisteredProxy = { _: 'rootConfig.registeredProxy'; seqno: number; address: string };

/** Constructor `rootConfig.registeredPublicKey#37312ecd` of `rootConfig.RegisteredPublicKey`. */
export type RootConfigRegisteredPublicKey = { _: 'rootConfig.registeredPublicKey'; public_key: Buffer; key_type: number; expire_at: number };

/** Constructor `rootConfig.configV7#c51207cb` of `rootConfig.Config`. */
export type RootConfigConfigV7 = {
  _: 'rootConfig.configV7'; root_owner_address: string; proxy_hashes: Buffer[]; registered_proxies: RootConfigRegisteredProxy[]; last_proxy_seqno: number;
  worker_hashes: Buffer[]; model_hashes: Buffer[]; version: number; struct_version: number; params_version: number; unique_id: number; is_test: number;
  price_per_token: bigint; worker_fee_per_token: bigint; prompt_tokens_price_multiplier: number; cached_tokens_price_multiplier: number;
  completion_tokens_price_multiplier: number; reasoning_tokens_price_multiplier: number; proxy_delay_before_close: number; client_delay_before_close: number;
  min_proxy_stake: bigint; min_client_stake: bigint; registered_public_keys: RootConfigRegisteredPublicKey[]; key_manager_public_key: Buffer;
  key_manager_image_hash: Buffer; key_manager_address: string; verified_proxy_keys: Buffer[]; verified_worker_keys: Buffer[];
  verified_key_manager_keys: Buffer[]; proxy_sc_code: string; worker_sc_code: string; client_sc_code: string;
};

/** Constructor `keyManager.privateKey#60f4f8e7` of `keyManager.PrivateKey`. */
export type KeyManagerPrivateKey = { _: 'keyManager.privateKey'; valid_until_utime: number; private_key: Buffer };

/** Constructor `keyManager.privateKeys#0ed66ce5` of `keyManager.PrivateKeys`. */
export type KeyManagerPrivateKeys = { _: 'keyManager.privateKeys'; keys: KeyManagerPrivateKey[] };

/** Constructor `keyManagerDb.key#35c91007` of `keyManagerDb.Key`. */
export type KeyManagerDbKey = {
  _: 'keyManagerDb.key'; private_key: Buffer; key_type: number; valid_since_config_version: number; valid_since_utime: number; valid_until_utime: number;
};

/** Constructor `ext.cancelQuery#2e7fa745` of `ext.Message`. */
export type ExtCancelQuery = { _: 'ext.cancelQuery'; request_id: Buffer };

/** Constructor `ext.grantCredit#02c38332` of `ext.Message`. */
export type ExtGrantCredit = { _: 'ext.grantCredit'; request_id: Buffer; bytes: bigint };

/** Constructor `ext.clientQueryAnswerErrorCoded#84f0767b` of `ext.Message`. */
export type ExtClientQueryAnswerErrorCoded = {
  _: 'ext.clientQueryAnswerErrorCoded'; request_id: Buffer; error_code: number; error: string; ccn_code: string; flags?: number;
  final_info?: ClientQueryFinalInfo;
};
export const ExtClientQueryAnswerErrorCodedFlag = { final_info: 1 << 0 } as const;

/** Constructor `ext.proxyQueryAnswerErrorCoded#edd3acd0` of `ext.Message`. */
export type ExtProxyQueryAnswerErrorCoded = {
  _: 'ext.proxyQueryAnswerErrorCoded'; request_id: Buffer; error_code: number; error: string; ccn_code: string; flags?: number;
  final_info?: ProxyQueryFinalInfo;
};
export const ExtProxyQueryAnswerErrorCodedFlag = { final_info: 1 << 0 } as const;

/** Constructor `ext.e2eKey#0d810a47` of `ext.E2eKey`. */
export type ExtE2eKey = { _: 'ext.e2eKey'; hpke_public_key: Buffer; signing_public_key: Buffer; model: string; valid_from: number; valid_until: number };

/** Constructor `ext.e2eKeySet#03fd4d5d` of `ext.E2eKeySet`. */
export type ExtE2eKeySet = { _: 'ext.e2eKeySet'; certificate_public_key: Buffer; issued_at: number; keys: ExtE2eKey[] };

/** Constructor `ext.e2eEvidence#80858c4f` of `ext.E2eEvidence`. */
export type ExtE2eEvidence = { _: 'ext.e2eEvidence'; certificate: Buffer; key_set: ExtE2eKeySet; signature: Buffer };

/** Constructor `ext.workerE2eEvidence#ed51b604` of `ext.Message`. */
export type ExtWorkerE2eEvidence = { _: 'ext.workerE2eEvidence'; evidence: ExtE2eEvidence };

/** Constructor `ext.e2eWorker#9047b6c1` of `ext.E2eWorker`. */
export type ExtE2eWorker = { _: 'ext.e2eWorker'; coefficient: number; active_requests: number; max_active_requests: number; evidence: ExtE2eEvidence };

/** Constructor `ext.e2eWorkers#7441e53c` of `ext.E2eWorkers`. */
export type ExtE2eWorkers = { _: 'ext.e2eWorkers'; workers: ExtE2eWorker[] };

/** Constructor `ext.e2eRequestHeader#672f854b` of `ext.E2eRequestHeader`. */
export type ExtE2eRequestHeader = {
  _: 'ext.e2eRequestHeader'; version: number; request_id: Buffer; model: string; created_at_ms: bigint; max_tokens: number; max_coefficient: number;
  timeout_ms: number; recipients: Buffer[];
};

/** Constructor `ext.e2eRecipient#1cafe179` of `ext.E2eRecipient`. */
export type ExtE2eRecipient = { _: 'ext.e2eRecipient'; hpke_public_key: Buffer; enc: Buffer; wrapped_key: Buffer };

/** Constructor `ext.e2eRequest#878d4922` of `ext.E2eRequest`. */
export type ExtE2eRequest = { _: 'ext.e2eRequest'; header: ExtE2eRequestHeader; recipients: ExtE2eRecipient[]; ciphertext: Buffer };

/** Constructor `ext.e2eAnswerChunk#6d386502` of `ext.E2eAnswerChunk`. */
export type ExtE2eAnswerChunk = { _: 'ext.e2eAnswerChunk'; seq: number; flags?: number; ciphertext: Buffer };

/** Constructor `ext.e2eReceiptBody#3482afc4` of `ext.E2eReceiptBody`. */
export type ExtE2eReceiptBody = {
  _: 'ext.e2eReceiptBody'; request_id: Buffer; request_hash: Buffer; answer_hash: Buffer; answer_chunks: number; status: number; model: string;
  hpke_public_key: Buffer; signing_public_key: Buffer; tokens_used: TokensUsed; coefficient: number; price_per_token: bigint; cost_nanoton: bigint;
  worker_start_ms: bigint; worker_end_ms: bigint; proxy: string;
};

/** Constructor `ext.e2eSignedReceipt#d437b9f8` of `ext.E2eSignedReceipt`. */
export type ExtE2eSignedReceipt = { _: 'ext.e2eSignedReceipt'; body: ExtE2eReceiptBody; signature: Buffer };

/** Constructor `ext.e2eReceipt#37fe378d` of `ext.Message`. */
export type ExtE2eReceipt = { _: 'ext.e2eReceipt'; request_id: Buffer; receipt: ExtE2eSignedReceipt };

/** Constructor `ext.runQueryWithPreferences#98d3c86b` of `ext.Message`. */
export type ExtRunQueryWithPreferences = {
  _: 'ext.runQueryWithPreferences'; model_name: string; query: Buffer; max_coefficient: number; max_tokens: number; timeout: number; request_id: Buffer;
  min_config_version: number; flags?: number; enable_debug?: boolean; public_key?: Buffer; sort: string; allow_fallbacks: boolean;
};
export const ExtRunQueryWithPreferencesFlag = { enable_debug: 1 << 0, public_key: 1 << 1 } as const;

/** Constructor `ext.marketWorker#4da78168` of `ext.MarketWorker`. */
export type ExtMarketWorker = {
  _: 'ext.marketWorker'; flags?: number; coefficient: number; active_requests: number; max_active_requests: number; success_rate: number; cooling_down: boolean;
  score: number; ttft_ms?: number; tokens_per_second?: number;
};
export const ExtMarketWorkerFlag = { ttft_ms: 1 << 0, tokens_per_second: 1 << 1 } as const;

/** Constructor `ext.marketModel#0555e1b9` of `ext.MarketModel`. */
export type ExtMarketModel = { _: 'ext.marketModel'; name: string; workers: ExtMarketWorker[] };

/** Constructor `ext.market#50e23f99` of `ext.Market`. */
export type ExtMarket = { _: 'ext.market'; models: ExtMarketModel[] };

/** Function `http.request#47492de5`, answered with `http.Response`. */
export type HttpRequest = { _: 'http.request'; method: string; url: string; http_version: string; headers: HttpHeader[]; payload: Buffer };

/** Function `client.connectToProxy#ff5fa0f4`, answered with `client.ConnectedToProxy`. */
export type ClientConnectToProxy = { _: 'client.connectToProxy'; params: ClientParams; min_config_version: number };

/** Function `client.authorizeWithProxyShort#6c276723`, answered with `client.AuthorizationWithProxy`. */
export type ClientAuthorizeWithProxyShort = { _: 'client.authorizeWithProxyShort'; data: Buffer };

/** Function `client.authorizeWithProxyLong#d3474303`, answered with `client.AuthorizationWithProxy`. */
export type ClientAuthorizeWithProxyLong = { _: 'client.authorizeWithProxyLong' };

/** Function `client.runQuery#bc748f32`, answered with `client.QueryAnswer`. */
export type ClientRunQuery = {
  _: 'client.runQuery'; model_name: string; query: Buffer; max_coefficient: number; max_tokens: number; timeout: number; request_id: Buffer;
  min_config_version: number;
};

/** Function `client.runQueryEx#f54cb74b`, answered with `client.QueryAnswerEx`. */
export type ClientRunQueryEx = {
  _: 'client.runQueryEx'; model_name: string; query: Buffer; max_coefficient: number; max_tokens: number; timeout: number; request_id: Buffer;
  min_config_version: number; flags?: number; enable_debug?: boolean; public_key?: Buffer;
};
export const ClientRunQueryExFlag = { enable_debug: 1 << 0, public_key: 1 << 1 } as const;

/** Function `client.requestRefund#238d863d`, answered with `client.Refund`. */
export type ClientRequestRefund = { _: 'client.requestRefund' };

/** Function `client.updatePaymentStatus#9ed1c697`, answered with `client.PaymentStatus`. */
export type ClientUpdatePaymentStatus = { _: 'client.updatePaymentStatus' };

/** Function `client.getWorkerTypes#7f062bdb`, answered with `client.WorkerTypes`. */
export type ClientGetWorkerTypes = { _: 'client.getWorkerTypes' };

/** Function `client.getWorkerTypesV2#b2133d72`, answered with `client.WorkerTypesV2`. */
export type ClientGetWorkerTypesV2 = { _: 'client.getWorkerTypesV2' };

/** Function `proxy.runQuery#47182416`, answered with `proxy.QueryAnswer`. */
export type ProxyRunQuery = {
  _: 'proxy.runQuery'; query: Buffer; signed_payment: ProxySignedPaymentType; coefficient: bigint; timeout: number; request_id: Buffer;
};

/** Function `proxy.runQueryEx#c805e7e2`, answered with `proxy.QueryAnswer`. */
export type ProxyRunQueryEx = {
  _: 'proxy.runQueryEx'; query: Buffer; signed_payment: ProxySignedPaymentType; coefficient: bigint; timeout: number; request_id: Buffer; flags?: number;
  enable_debug?: boolean; private_key?: Buffer;
};
export const ProxyRunQueryExFlag = { enable_debug: 1 << 0, private_key: 1 << 1 } as const;

/** Function `worker.connectToProxy#cc484c5d`, answered with `worker.ConnectedToProxy`. */
export type WorkerConnectToProxy = { _: 'worker.connectToProxy'; params: WorkerParams };

/** Function `worker.compareBalanceWithProxy#db386501`, answered with `worker.CompareBalanceWithProxyResult`. */
export type WorkerCompareBalanceWithProxy = {
  _: 'worker.compareBalanceWithProxy'; tokens_committed_to_blockchain: bigint; tokens_committed_to_db: bigint; max_tokens: bigint;
};

/** Function `worker.extendedCompareBalanceWithProxy#f8dd9914`, answered with `worker.ExtendedCompareBalanceWithProxyResult`. */
export type WorkerExtendedCompareBalanceWithProxy = { _: 'worker.extendedCompareBalanceWithProxy'; tokens_committed_to_db: bigint; other: Buffer };

/** Function `worker.proxyHandshakeComplete#f843b066`, answered with `worker.HandshakeCompleted`. */
export type WorkerProxyHandshakeComplete = { _: 'worker.proxyHandshakeComplete'; is_disabled: boolean };

/** Function `worker.updatePaymentStatus#dc70a524`, answered with `worker.PaymentStatus`. */
export type WorkerUpdatePaymentStatus = { _: 'worker.updatePaymentStatus' };

/** Function `worker.changeModel#72662cee`, answered with `worker.ChangedModel`. */
export type WorkerChangeModel = { _: 'worker.changeModel'; new_model: string };

/** Function `keyManager.getWorkerPrivateKeys#4b90e9b1`, answered with `keyManager.PrivateKeys`. */
export type KeyManagerGetWorkerPrivateKeys = { _: 'keyManager.getWorkerPrivateKeys'; proto_version: number };

/** Function `keyManager.getProxyPrivateKeys#4135d0bd`, answered with `keyManager.PrivateKeys`. */
export type KeyManagerGetProxyPrivateKeys = { _: 'keyManager.getProxyPrivateKeys'; proto_version: number };

/** Function `ext.getE2eWorkers#db01fb17`, answered with `ext.E2eWorkers`. */
export type ExtGetE2eWorkers = { _: 'ext.getE2eWorkers'; model: string };

/** Function `ext.getMarket#b5f0ac8f`, answered with `ext.Market`. */
export type ExtGetMarket = { _: 'ext.getMarket' };

// One union per boxed TL type (the schema name after each).
export type TcpPacketType = TcpPing | TcpPong | TcpPacket | TcpQueryAnswer | TcpQueryError | TcpQuery | TcpConnected | TcpConnect; // tcp.Packet
export type HttpHeaderType = HttpHeader; // http.Header
export type HttpResponseType = HttpResponse; // http.Response
export type TokensUsedType = TokensUsed; // TokensUsed
export type ClientParamsType = ClientParams; // client.Params
export type ProxyParamsType = ProxyParams; // proxy.Params
export type WorkerParamsType = WorkerParams; // worker.Params
export type ProxySignedPaymentType = ProxySignedPayment | ProxySignedPaymentEmpty; // proxy.SignedPayment
export type ClientProxyConnectionAuth = ClientProxyConnectionAuthShort | ClientProxyConnectionAuthLong; // client.ProxyConnectionAuth
export type ClientConnectedToProxyType = ClientConnectedToProxy; // client.ConnectedToProxy
export type ClientAuthorizationWithProxy = ClientAuthorizationWithProxySuccess | ClientAuthorizationWithProxyFailed; // client.AuthorizationWithProxy
export type ClientQueryAnswerType = ClientQueryAnswer | ClientQueryAnswerError; // client.QueryAnswer
export type ClientQueryAnswerPartType = ClientQueryAnswerPart | ClientQueryAnswerPartError; // client.QueryAnswerPart
export type ClientQueryFinalInfoType = ClientQueryFinalInfo; // client.QueryFinalInfo
export type ClientQueryAnswerExType = ClientQueryAnswerEx | ClientQueryAnswerErrorEx | ClientQueryAnswerPartEx; // client.QueryAnswerEx
export type ClientWorkerTypeType = ClientWorkerType; // client.WorkerType
export type ClientWorkerTypesType = ClientWorkerTypes; // client.WorkerTypes
export type ClientWorkerInstanceV2Type = ClientWorkerInstanceV2; // client.WorkerInstanceV2
export type ClientWorkerTypeV2Type = ClientWorkerTypeV2; // client.WorkerTypeV2
export type ClientWorkerTypesV2Type = ClientWorkerTypesV2; // client.WorkerTypesV2
export type ClientPaymentStatusType = ClientPaymentStatus; // client.PaymentStatus
export type ClientRefundType = ClientRefund | ClientRefundRejected; // client.Refund
export type ProxyClientRequestPaymentType = ProxyClientRequestPayment; // proxy.ClientRequestPayment
export type ProxyWorkerRequestPaymentType = ProxyWorkerRequestPayment; // proxy.WorkerRequestPayment
export type ProxyQueryAnswerType = ProxyQueryAnswer | ProxyQueryAnswerError; // proxy.QueryAnswer
export type ProxyQueryAnswerPartType = ProxyQueryAnswerPart | ProxyQueryAnswerPartError; // proxy.QueryAnswerPart
export type ProxyQueryFinalInfoType = ProxyQueryFinalInfo; // proxy.QueryFinalInfo
export type ProxyQueryAnswerExType = ProxyQueryAnswerEx | ProxyQueryAnswerErrorEx | ProxyQueryAnswerPartEx; // proxy.QueryAnswerEx
export type WorkerEnabledDisabledType = WorkerEnabledDisabled; // worker.EnabledDisabled
export type WorkerNewCoefficientType = WorkerNewCoefficient; // worker.NewCoefficient
export type WorkerConnectedToProxyType = WorkerConnectedToProxy; // worker.ConnectedToProxy
export type WorkerCompareBalanceWithProxyResultType = WorkerCompareBalanceWithProxyResult; // worker.CompareBalanceWithProxyResult
export type WorkerExtendedCompareBalanceWithProxyResultType = WorkerExtendedCompareBalanceWithProxyResult; // worker.ExtendedCompareBalanceWithProxyResult
export type WorkerHandshakeCompleted = WorkerProxyHandshakeCompleted; // worker.HandshakeCompleted
export type WorkerPaymentStatusType = WorkerPaymentStatus; // worker.PaymentStatus
export type WorkerChangedModelType = WorkerChangedModel; // worker.ChangedModel
export type RootConfigRegisteredProxyType = RootConfigRegisteredProxy; // rootConfig.RegisteredProxy
export type RootConfigRegisteredPublicKeyType = RootConfigRegisteredPublicKey; // rootConfig.RegisteredPublicKey
export type RootConfigConfig = RootConfigConfigV7; // rootConfig.Config
export type KeyManagerPrivateKeyType = KeyManagerPrivateKey; // keyManager.PrivateKey
export type KeyManagerPrivateKeysType = KeyManagerPrivateKeys; // keyManager.PrivateKeys
export type KeyManagerDbKeyType = KeyManagerDbKey; // keyManagerDb.Key
// ext.Message
export type ExtMessage =
  | ExtCancelQuery
  | ExtGrantCredit
  | ExtClientQueryAnswerErrorCoded
  | ExtProxyQueryAnswerErrorCoded
  | ExtWorkerE2eEvidence
  | ExtE2eReceipt
  | ExtRunQueryWithPreferences;
export type ExtE2eKeyType = ExtE2eKey; // ext.E2eKey
export type ExtE2eKeySetType = ExtE2eKeySet; // ext.E2eKeySet
export type ExtE2eEvidenceType = ExtE2eEvidence; // ext.E2eEvidence
export type ExtE2eWorkerType = ExtE2eWorker; // ext.E2eWorker
export type ExtE2eWorkersType = ExtE2eWorkers; // ext.E2eWorkers
export type ExtE2eRequestHeaderType = ExtE2eRequestHeader; // ext.E2eRequestHeader
export type ExtE2eRecipientType = ExtE2eRecipient; // ext.E2eRecipient
export type ExtE2eRequestType = ExtE2eRequest; // ext.E2eRequest
export type ExtE2eAnswerChunkType = ExtE2eAnswerChunk; // ext.E2eAnswerChunk
export type ExtE2eReceiptBodyType = ExtE2eReceiptBody; // ext.E2eReceiptBody
export type ExtE2eSignedReceiptType = ExtE2eSignedReceipt; // ext.E2eSignedReceipt
export type ExtMarketWorkerType = ExtMarketWorker; // ext.MarketWorker
export type ExtMarketModelType = ExtMarketModel; // ext.MarketModel
export type ExtMarketType = ExtMarket; // ext.Market

/** Every constructor name → its type (what decodeBoxed returns for it). */
export interface TlConstructorMap {
  'boolFalse': BoolFalse;
  'boolTrue': BoolTrue;
  'tcp.ping': TcpPing;
  'tcp.pong': TcpPong;
  'tcp.packet': TcpPacket;
  'tcp.queryAnswer': TcpQueryAnswer;
  'tcp.queryError': TcpQueryError;
  'tcp.query': TcpQuery;
  'tcp.connected': TcpConnected;
  'tcp.connect': TcpConnect;
  'http.header': HttpHeader;
  'http.response': HttpResponse;
  'tokensUsed': TokensUsed;
  'client.params': ClientParams;
  'proxy.params': ProxyParams;
  'worker.params': WorkerParams;
  'proxy.signedPayment': ProxySignedPayment;
  'proxy.signedPaymentEmpty': ProxySignedPaymentEmpty;
  'client.proxyConnectionAuthShort': ClientProxyConnectionAuthShort;
  'client.proxyConnectionAuthLong': ClientProxyConnectionAuthLong;
  'client.connectedToProxy': ClientConnectedToProxy;
  'client.authorizationWithProxySuccess': ClientAuthorizationWithProxySuccess;
  'client.authorizationWithProxyFailed': ClientAuthorizationWithProxyFailed;
  'client.queryAnswer': ClientQueryAnswer;
  'client.queryAnswerError': ClientQueryAnswerError;
  'client.queryAnswerPart': ClientQueryAnswerPart;
  'client.queryAnswerPartError': ClientQueryAnswerPartError;
  'client.queryFinalInfo': ClientQueryFinalInfo;
  'client.queryAnswerEx': ClientQueryAnswerEx;
  'client.queryAnswerErrorEx': ClientQueryAnswerErrorEx;
  'client.queryAnswerPartEx': ClientQueryAnswerPartEx;
  'client.workerType': ClientWorkerType;
  'client.workerTypes': ClientWorkerTypes;
  'client.workerInstanceV2': ClientWorkerInstanceV2;
  'client.workerTypeV2': ClientWorkerTypeV2;
  'client.workerTypesV2': ClientWorkerTypesV2;
  'client.paymentStatus': ClientPaymentStatus;
  'client.refund': ClientRefund;
  'client.refundRejected': ClientRefundRejected;
  'proxy.clientRequestPayment': ProxyClientRequestPayment;
  'proxy.workerRequestPayment': ProxyWorkerRequestPayment;
  'proxy.queryAnswer': ProxyQueryAnswer;
  'proxy.queryAnswerError': ProxyQueryAnswerError;
  'proxy.queryAnswerPart': ProxyQueryAnswerPart;
  'proxy.queryAnswerPartError': ProxyQueryAnswerPartError;
  'proxy.queryFinalInfo': ProxyQueryFinalInfo;
  'proxy.queryAnswerEx': ProxyQueryAnswerEx;
  'proxy.queryAnswerErrorEx': ProxyQueryAnswerErrorEx;
  'proxy.queryAnswerPartEx': ProxyQueryAnswerPartEx;
  'worker.enabledDisabled': WorkerEnabledDisabled;
  'worker.newCoefficient': WorkerNewCoefficient;
  'worker.connectedToProxy': WorkerConnectedToProxy;
  'worker.compareBalanceWithProxyResult': WorkerCompareBalanceWithProxyResult;
  'worker.extendedCompareBalanceWithProxyResult': WorkerExtendedCompareBalanceWithProxyResult;
  'worker.proxyHandshakeCompleted': WorkerProxyHandshakeCompleted;
  'worker.paymentStatus': WorkerPaymentStatus;
  'worker.changedModel': WorkerChangedModel;
  'rootConfig.registeredProxy': RootConfigRegisteredProxy;
  'rootConfig.registeredPublicKey': RootConfigRegisteredPublicKey;
  'rootConfig.configV7': RootConfigConfigV7;
  'keyManager.privateKey': KeyManagerPrivateKey;
  'keyManager.privateKeys': KeyManagerPrivateKeys;
  'keyManagerDb.key': KeyManagerDbKey;
  'ext.cancelQuery': ExtCancelQuery;
  'ext.grantCredit': ExtGrantCredit;
  'ext.clientQueryAnswerErrorCoded': ExtClientQueryAnswerErrorCoded;
  'ext.proxyQueryAnswerErrorCoded': ExtProxyQueryAnswerErrorCoded;
  'ext.e2eKey': ExtE2eKey;
  'ext.e2eKeySet': ExtE2eKeySet;
  'ext.e2eEvidence': ExtE2eEvidence;
  'ext.workerE2eEvidence': ExtWorkerE2eEvidence;
  'ext.e2eWorker': ExtE2eWorker;
  'ext.e2eWorkers': ExtE2eWorkers;
  'ext.e2eRequestHeader': ExtE2eRequestHeader;
  'ext.e2eRecipient': ExtE2eRecipient;
  'ext.e2eRequest': ExtE2eRequest;
  'ext.e2eAnswerChunk': ExtE2eAnswerChunk;
  'ext.e2eReceiptBody': ExtE2eReceiptBody;
  'ext.e2eSignedReceipt': ExtE2eSignedReceipt;
  'ext.e2eReceipt': ExtE2eReceipt;
  'ext.runQueryWithPreferences': ExtRunQueryWithPreferences;
  'ext.marketWorker': ExtMarketWorker;
  'ext.marketModel': ExtMarketModel;
  'ext.market': ExtMarket;
}

/** Every function name → the type of its call and the union of the answers it may get. */
export interface TlFunctionMap {
  'http.request': { request: HttpRequest; result: HttpResponseType };
  'client.connectToProxy': { request: ClientConnectToProxy; result: ClientConnectedToProxyType };
  'client.authorizeWithProxyShort': { request: ClientAuthorizeWithProxyShort; result: ClientAuthorizationWithProxy };
  'client.authorizeWithProxyLong': { request: ClientAuthorizeWithProxyLong; result: ClientAuthorizationWithProxy };
  'client.runQuery': { request: ClientRunQuery; result: ClientQueryAnswerType };
  'client.runQueryEx': { request: ClientRunQueryEx; result: ClientQueryAnswerExType };
  'client.requestRefund': { request: ClientRequestRefund; result: ClientRefundType };
  'client.updatePaymentStatus': { request: ClientUpdatePaymentStatus; result: ClientPaymentStatusType };
  'client.getWorkerTypes': { request: ClientGetWorkerTypes; result: ClientWorkerTypesType };
  'client.getWorkerTypesV2': { request: ClientGetWorkerTypesV2; result: ClientWorkerTypesV2Type };
  'proxy.runQuery': { request: ProxyRunQuery; result: ProxyQueryAnswerType };
  'proxy.runQueryEx': { request: ProxyRunQueryEx; result: ProxyQueryAnswerType };
  'worker.connectToProxy': { request: WorkerConnectToProxy; result: WorkerConnectedToProxyType };
  'worker.compareBalanceWithProxy': { request: WorkerCompareBalanceWithProxy; result: WorkerCompareBalanceWithProxyResultType };
  'worker.extendedCompareBalanceWithProxy': { request: WorkerExtendedCompareBalanceWithProxy; result: WorkerExtendedCompareBalanceWithProxyResultType };
  'worker.proxyHandshakeComplete': { request: WorkerProxyHandshakeComplete; result: WorkerHandshakeCompleted };
  'worker.updatePaymentStatus': { request: WorkerUpdatePaymentStatus; result: WorkerPaymentStatusType };
  'worker.changeModel': { request: WorkerChangeModel; result: WorkerChangedModelType };
  'keyManager.getWorkerPrivateKeys': { request: KeyManagerGetWorkerPrivateKeys; result: KeyManagerPrivateKeysType };
  'keyManager.getProxyPrivateKeys': { request: KeyManagerGetProxyPrivateKeys; result: KeyManagerPrivateKeysType };
  'ext.getE2eWorkers': { request: ExtGetE2eWorkers; result: ExtE2eWorkersType };
  'ext.getMarket': { request: ExtGetMarket; result: ExtMarketType };
}

/** Every name encodeBoxed accepts and decodeBoxed may return (constructors and function calls) → its type. */
export interface TlObjectMap extends TlConstructorMap {
  'http.request': HttpRequest;
  'client.connectToProxy': ClientConnectToProxy;
  'client.authorizeWithProxyShort': ClientAuthorizeWithProxyShort;
  'client.authorizeWithProxyLong': ClientAuthorizeWithProxyLong;
  'client.runQuery': ClientRunQuery;
  'client.runQueryEx': ClientRunQueryEx;
  'client.requestRefund': ClientRequestRefund;
  'client.updatePaymentStatus': ClientUpdatePaymentStatus;
  'client.getWorkerTypes': ClientGetWorkerTypes;
  'client.getWorkerTypesV2': ClientGetWorkerTypesV2;
  'proxy.runQuery': ProxyRunQuery;
  'proxy.runQueryEx': ProxyRunQueryEx;
  'worker.connectToProxy': WorkerConnectToProxy;
  'worker.compareBalanceWithProxy': WorkerCompareBalanceWithProxy;
  'worker.extendedCompareBalanceWithProxy': WorkerExtendedCompareBalanceWithProxy;
  'worker.proxyHandshakeComplete': WorkerProxyHandshakeComplete;
  'worker.updatePaymentStatus': WorkerUpdatePaymentStatus;
  'worker.changeModel': WorkerChangeModel;
  'keyManager.getWorkerPrivateKeys': KeyManagerGetWorkerPrivateKeys;
  'keyManager.getProxyPrivateKeys': KeyManagerGetProxyPrivateKeys;
  'ext.getE2eWorkers': ExtGetE2eWorkers;
  'ext.getMarket': ExtGetMarket;
}

/** The name of any constructor or function of the schema. */
export type TlObjectName = keyof TlObjectMap;
/** Any constructor or function call of the schema, told apart by `_`. */
export type TlAnyObject = TlObjectMap[TlObjectName];
