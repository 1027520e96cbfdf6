/**
 * The names under which the TL message types have always been exported (TcpMessage, SignedPayment,
 * …), now re-exported from the types generated from schema/cocoon-api.tl
 * (generated/cocoon-api-types.ts, `npm run generate:tl`), which define them.
 */
export type {
  TcpConnect, TcpConnected, TcpPing, TcpPong, TcpPacket, TcpQuery, TcpQueryAnswer, TcpQueryError, TcpPacketType as TcpMessage,
  HttpHeader, HttpRequest, HttpResponse, TokensUsed, ProxySignedPayment, ProxySignedPaymentEmpty, ProxySignedPaymentType as SignedPayment,
  ClientQueryFinalInfo, ProxyQueryFinalInfo, ClientRunQueryEx, ClientQueryAnswerEx, ClientQueryAnswerPartEx, ClientQueryAnswerErrorEx,
  ProxyRunQueryEx, ProxyQueryAnswerEx, ProxyQueryAnswerPartEx, ProxyQueryAnswerErrorEx,
} from './generated/cocoon-api-types.ts';
