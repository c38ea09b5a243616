/**
 * Protocol clients for test suites: WebSocket (`WsClient`), HTTP rpc + long-poll (`HttpClient`),
 * and `InboxReader`, which follows an inbox by the documented cursor rules on either transport.
 */
export {
  HttpClient,
  InboxReader,
  RequestError,
  WsClient,
  signIn,
  type ProtocolClient,
  type WsConnectOptions,
} from '../../src-server/sim/protocol-client';
