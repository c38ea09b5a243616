/**
 * Programmatic API of the IM server, for tests, benchmarks and the other parts of the project.
 * Keep this surface stable: the client core and UI suites start servers through it.
 */
export { startServer, type RunningServer, type StartServerOptions } from './server';
export { createAccount, type AccountSpec } from './accounts';
export { seedDemo, DEMO_PASSWORD, DEMO_MERCHANTS, DEMO_STAFF, DEMO_CUSTOMERS, DEMO_OBJECTS } from './demo/seed';
export { DEFAULT_CONFIG, type ServerConfig } from './config';
export { chooseAssignee, type AssignmentSnapshot, type AssignmentCandidate } from './domain/assignment';
export type {
  Store,
  Account,
  LineRecord,
  InboxHead,
  SendInput,
  SendOutcome,
  WriteOutcome,
  LineWriteOutcome,
  SyncPage,
  StaffLoad,
  NewAccount,
  LineQuery,
} from './store/types';
export { SqliteStore } from './store/sqlite/store';
export type { Hub, HubSignal, HubListener, EphemeralPush } from './hub/types';
export { LocalHub } from './hub/local';
export type { PresenceDirectory, Channel, ChannelState, TransportKind } from './presence/types';
export { LocalPresence } from './presence/local';
export type { RemotePush } from './presence/remote-push';
export { LoggingRemotePush } from './presence/remote-push';
export type { PasswordCost } from './auth/passwords';
export type { MediaStore } from './media/types';
export { FileMediaStore } from './media/file-store';
export { PgMediaStore } from './media/postgres-store';
