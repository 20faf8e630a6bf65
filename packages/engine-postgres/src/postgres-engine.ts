/**
 * `postgresEngine(options)`: a Rotor engine for self-managed PostgreSQL (10+), written only against
 * `@rotor/core/engine`. This file is the wiring; the operations are in postgres-operations.ts.
 *
 * - Passwords are sent as SCRAM-SHA-256 verifiers computed here (`ALTER ROLE ... PASSWORD 'SCRAM-SHA-256$...'`),
 *   so the clear password never appears in statement text, server logs or pg_stat_statements.
 * - Single-user: the role changes its own password (any role may). Alternating users: the admin secret
 *   named by `masterarn` creates `<user>_clone` with the source's memberships and attributes.
 * - A role holds one password, so there is no dual-password strategy (docs/decisions/0050).
 * - Connections go only to `allowedHosts` from the function's configuration: a self-managed server has no
 *   control plane to ask, so the secret's host is used only when it is one of them (docs/decisions/0052).
 * - An RDS-managed master secret (no host; tagged with its DB instance or cluster ARN) is located with RDS's
 *   DescribeDBInstances / DescribeDBClusters, loaded lazily, and used only on the user's own server
 *   (docs/decisions/0083).
 */
import {
  type CloningEngine,
  defineEngine,
  ENGINE_CONTRACT_VERSION,
  type EngineBase,
  type SyncEngine,
} from '@rotor/core/engine';
import type { PostgresRuntime } from './postgres-connections.js';
import { cloneUser, login, preflight, setPasswords } from './postgres-operations.js';
import { type PostgresEngineOptions, parsePostgresOptions } from './postgres-options.js';
import { type PostgresSecret, postgresSecretSchema } from './postgres-secret.js';
import type { RdsLookup } from './rds-lookup.js';

/** The PostgreSQL engine: clones roles (alternating users), changes apply at once. */
export type PostgresEngine = EngineBase<PostgresSecret> & CloningEngine<PostgresSecret> & SyncEngine;

export function postgresEngine(options: PostgresEngineOptions = {}): PostgresEngine {
  const settings = parsePostgresOptions(options);
  let rdsLookup: Promise<RdsLookup> | undefined;
  const runtime: PostgresRuntime = {
    settings,
    rdsLookup() {
      rdsLookup ??= import('./rds-lookup.js').then(({ createRdsLookup }) => createRdsLookup(settings.rds));
      // A failed import is not remembered: the next step tries again.
      rdsLookup.catch(() => {
        rdsLookup = undefined;
      });
      return rdsLookup;
    },
  };
  return defineEngine<PostgresSecret, PostgresEngine>({
    contractVersion: ENGINE_CONTRACT_VERSION,
    engineId: 'postgres',
    secretSchema: postgresSecretSchema,
    passwordPolicy: settings.passwordPolicy,
    passwordsPerUser: 1,
    changeAuthority: 'credentials',
    canCloneUsers: true,
    asyncChanges: false,
    preflight: (request, context) => preflight(runtime, request, context),
    login: (request, context) => login(runtime, request, context),
    setPasswords: (request, context) => setPasswords(runtime, request, context),
    cloneUser: (request, context) => cloneUser(runtime, request, context),
  });
}
