/**
 * `elastiCacheEngine(options)`: the ElastiCache (Redis OSS / Valkey) RBAC engine. This file is the wiring;
 * the operations are in elasticache-operations.ts and elasticache-clone.ts.
 */
import { readFileSync } from 'node:fs';
import {
  type AsyncEngine,
  type CloningEngine,
  defineEngine,
  ENGINE_CONTRACT_VERSION,
  type EngineBase,
  InvalidConfigurationError,
} from '@rotor/core/engine';
import { ControlPlane } from './control-plane.js';
import { cloneUser } from './elasticache-clone.js';
import { alternateUser, login, preflight, setPasswords, waitUntilApplied } from './elasticache-operations.js';
import {
  type ElastiCacheEngineOptions,
  elastiCachePasswordPolicy,
  resolveOptions,
} from './elasticache-options.js';
import { type ElastiCacheSecret, elastiCacheSecretSchema } from './elasticache-secret.js';
import { containerMemory, type ElastiCacheRuntime } from './elasticache-users.js';
import { createLoginTester } from './login-test.js';

/**
 * Users hold two passwords (dual-password), can be cloned through the control plane (alternating users),
 * and changes apply asynchronously (`modifying` until `active`). Why these members serve this one engine
 * in the shared contract: decision 0100.
 */
export type ElastiCacheEngine = EngineBase<ElastiCacheSecret> &
  CloningEngine<ElastiCacheSecret> &
  AsyncEngine<ElastiCacheSecret>;

/**
 * Passwords change through the control plane (ModifyUser / CreateUser / ModifyUserGroup) under the
 * function's IAM role; changes are asynchronous (`modifying` until applied). Logins (testSecret, and every
 * "already done" check) go only to trusted endpoints: the configured one, or the caches whose user groups
 * hold the user (decision 0035).
 *
 * @example
 * ```ts
 * const engine = elastiCacheEngine({ passwordLength: 32 });
 * export const handler = createRotationHandler({ engine, logger });
 * ```
 */
export function elastiCacheEngine(options: ElastiCacheEngineOptions = {}): ElastiCacheEngine {
  const settings = resolveOptions(options);
  const controlPlane = new ControlPlane({
    client: settings.client,
    region: settings.region,
    endpoint: settings.endpoint,
  });
  const { dataPlane } = settings;
  const runtime: ElastiCacheRuntime = {
    settings,
    controlPlane,
    loginTester: createLoginTester({
      controlPlane,
      configured:
        dataPlane.host === undefined
          ? undefined
          : { name: 'the configured cache', host: dataPlane.host, port: dataPlane.port, tls: dataPlane.tls },
      configuredCaches: dataPlane.caches,
      rejectUnauthorized: dataPlane.rejectUnauthorized,
      ca: readCertificates(dataPlane.caFile),
      connectTimeoutMs: dataPlane.connectTimeoutMs,
    }),
    ...containerMemory(),
  };
  return defineEngine<ElastiCacheSecret, ElastiCacheEngine>({
    contractVersion: ENGINE_CONTRACT_VERSION,
    engineId: 'elasticache',
    secretSchema: elastiCacheSecretSchema,
    passwordPolicy: elastiCachePasswordPolicy(settings.passwordLength, settings.excludeCharacters),
    passwordsPerUser: 2,
    changeAuthority: 'control-plane',
    canCloneUsers: true,
    asyncChanges: true,
    preflight: (request, context) => preflight(runtime, request, context),
    login: (request, context) => login(runtime, request, context),
    setPasswords: (request, context) => setPasswords(runtime, request, context),
    waitUntilApplied: (request, context) => waitUntilApplied(runtime, request, context),
    alternateUser,
    cloneUser: (request, context) => cloneUser(runtime, request, context),
  });
}

/** The PEM certificates in `path`, read once at cold start; a missing file is a configuration error. */
function readCertificates(path: string | undefined): string | undefined {
  if (path === undefined) return undefined;
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new InvalidConfigurationError(
      `Cannot read the cache CA file ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
    );
  }
}
