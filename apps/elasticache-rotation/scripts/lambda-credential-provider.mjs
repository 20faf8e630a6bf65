/**
 * Stands in for `@aws-sdk/credential-provider-node` in the Lambda bundle. On Lambda the execution role's
 * credentials are always in the environment (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN),
 * the first link of the SDK's default chain; the rest of the chain (SSO, STS web identity, ini files, IMDS)
 * can never apply there and costs ~93 KB of bundle (measured). Same exports as the real module.
 */
import { fromEnv } from '@aws-sdk/credential-provider-env';

export const defaultProvider = (init = {}) => fromEnv(init);

const REFRESH_WINDOW_MS = 5 * 60 * 1000;

/** As the SDK's: credentials with an expiry will need refreshing; within five minutes of it they count as expired. */
export const credentialsWillNeedRefresh = (credentials) => credentials?.expiration !== undefined;

export const credentialsTreatedAsExpired = (credentials) =>
  credentials?.expiration !== undefined && credentials.expiration.getTime() - Date.now() < REFRESH_WINDOW_MS;
