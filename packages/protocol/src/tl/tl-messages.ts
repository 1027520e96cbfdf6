/**
 * TypeScript shapes of the most used COCOON messages, as produced by decodeBoxed and accepted by
 * encodeBoxed (field names exactly as in schema/cocoon-api.tl). Optional (`flags.N?`) fields are
 * optional properties; `flags` may be omitted on encode and is then computed.
 */
import type { TlObject } from './tl-types.ts';

export interface TcpConnect extends TlObject { _: 'tcp.connect'; id: bigint }
export interface TcpConnected extends TlObject { _: 'tcp.connected'; id: bigint }
export interface TcpPing extends TlObject { _: 'tcp.ping'; id: bigint }
export interface TcpPong extends TlObject { _: 'tcp.pong'; id: bigint }
export interface TcpPacket extends TlObject { _: 'tcp.packet'; data: Buffer }
export interface TcpQuery extends TlObject { _: 'tcp.query'; id: bigint; data: Buffer }
export interface TcpQueryAnswer extends TlObject { _: 'tcp.queryAnswer'; id: bigint; data: Buffer }
export interface TcpQueryError extends TlObject { _: 'tcp.queryError'; id: bigint; code: number; message: string }
export type TcpMessage = TcpConnect | TcpConnected | TcpPing | TcpPong | TcpPacket | TcpQuery | TcpQueryAnswer | TcpQueryError;

export interface HttpHeader extends TlObject { _: 'http.header'; name: string; value: string }
export interface HttpRequest extends TlObject {
  _: 'http.request'; method: string; url: string; http_version: string; headers: HttpHeader[]; payload: Buffer;
}
export interface HttpResponse extends TlObject {
  _: 'http.response'; http_version: string; status_code: number; reason: string; headers: HttpHeader[]; payload: Buffer;
}

export interface TokensUsed extends TlObject {
  _: 'tokensUsed';
  prompt_tokens_used: bigint; cached_tokens_used: bigint; completion_tokens_used: bigint; reasoning_tokens_used: bigint; total_tokens_used: bigint;
}

export interface ProxySignedPayment extends TlObject { _: 'proxy.signedPayment'; data: Buffer }
export interface ProxySignedPaymentEmpty extends TlObject { _: 'proxy.signedPaymentEmpty' }
export type SignedPayment = ProxySignedPayment | ProxySignedPaymentEmpty;

export interface ClientQueryFinalInfo extends TlObject {
  _: 'client.queryFinalInfo'; flags?: number; tokens_used: TokensUsed;
  worker_debug?: string; proxy_debug?: string;
  proxy_start_time?: number; proxy_end_time?: number; worker_start_time?: number; worker_end_time?: number;
}
export interface ProxyQueryFinalInfo extends TlObject {
  _: 'proxy.queryFinalInfo'; flags?: number; tokens_used: TokensUsed;
  worker_debug?: string; worker_start_time?: number; worker_end_time?: number;
}

export interface ClientRunQueryEx extends TlObject {
  _: 'client.runQueryEx'; model_name: string; query: Buffer; max_coefficient: number; max_tokens: number; timeout: number;
  request_id: Buffer; min_config_version: number; flags?: number; enable_debug?: boolean;
}
export interface ClientQueryAnswerEx extends TlObject {
  _: 'client.queryAnswerEx'; request_id: Buffer; answer: Buffer; flags?: number; final_info?: ClientQueryFinalInfo;
}
export interface ClientQueryAnswerPartEx extends TlObject {
  _: 'client.queryAnswerPartEx'; request_id: Buffer; answer: Buffer; flags?: number; final_info?: ClientQueryFinalInfo;
}
export interface ClientQueryAnswerErrorEx extends TlObject {
  _: 'client.queryAnswerErrorEx'; request_id: Buffer; error_code: number; error: string; flags?: number; final_info?: ClientQueryFinalInfo;
}

export interface ProxyRunQueryEx extends TlObject {
  _: 'proxy.runQueryEx'; query: Buffer; signed_payment: SignedPayment; coefficient: bigint; timeout: number;
  request_id: Buffer; flags?: number; enable_debug?: boolean;
}
export interface ProxyQueryAnswerEx extends TlObject {
  _: 'proxy.queryAnswerEx'; request_id: Buffer; answer: Buffer; flags?: number; final_info?: ProxyQueryFinalInfo;
}
export interface ProxyQueryAnswerPartEx extends TlObject {
  _: 'proxy.queryAnswerPartEx'; request_id: Buffer; answer: Buffer; flags?: number; final_info?: ProxyQueryFinalInfo;
}
export interface ProxyQueryAnswerErrorEx extends TlObject {
  _: 'proxy.queryAnswerErrorEx'; request_id: Buffer; error_code: number; error: string; flags?: number; final_info?: ProxyQueryFinalInfo;
}
