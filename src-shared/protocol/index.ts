export * from './errors';
export * from './limits';
export * from './schemas';
export * from './envelope';
export * from './random-id';
