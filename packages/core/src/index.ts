export { createDefaultLogger } from './default-logger.js';
export * from './errors.js';
export type { RotorLogger } from './logger.js';
export { silentLogger } from './logger.js';
export * from './protocol/rotation-event.js';
export type { SecretDescription, SecretStore, SecretVersionValue } from './store/secret-store.js';
