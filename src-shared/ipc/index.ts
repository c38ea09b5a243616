export * from './contract';
export * from './bridge';
export * from './client-errors';
export * from './unread';
export * from './message-text';
