/**
 * `redshiftEngine(options)`: Rotor's engine for Amazon Redshift (provisioned and Serverless). This file is the
 * wiring; the operations are in redshift-operations.ts, the connections in redshift-sessions.ts.
 *
 * Transports (docs/decisions/0040):
 * - `pg` (default): direct connections, TLS verified by default. Every step works, and logins are real:
 *   testSecret proves the pending password by logging in with it.
 * - `data-api`: statements go through the Redshift Data API as a stored secret (AWSCURRENT of the rotated
 *   secret for single-user, the `masterarn` secret for alternating users) or as a database user with
 *   temporary IAM credentials. The Data API cannot present a given password, so logins are direct pg logins
 *   (`dataApi.loginCheck: 'pg'`, the default), or reported `skipped` with `loginCheck: 'none'`.
 *
 * Every direct connection goes to a trusted endpoint: an allowed host from the configuration, or one the
 * control plane reports for the cluster or workgroup; never simply the secret's `host` (docs/decisions/0043).
 */
import {
  type CloningEngine,
  defineEngine,
  ENGINE_CONTRACT_VERSION,
  type EngineBase,
  parseHostPort,
  type SyncEngine,
} from '@rotor/core/engine';
import type { ControlPlane } from './control-plane.js';
import { createEndpointResolver } from './endpoint-resolver.js';
import { alternateUser, cloneUser, login, preflight, setPasswords } from './redshift-operations.js';
import {
  parseRedshiftOptions,
  type RedshiftEngineOptions,
  redshiftPasswordPolicy,
} from './redshift-options.js';
import { DEFAULT_PORT, type RedshiftSecret, redshiftSecretSchema } from './redshift-secret.js';
import { dataClientFactory, type RedshiftRuntime } from './redshift-sessions.js';
import type { RedshiftTarget } from './redshift-target.js';

/** The Redshift engine: clones users (alternating users), changes apply at once. */
export type RedshiftEngine = EngineBase<RedshiftSecret> & CloningEngine<RedshiftSecret> & SyncEngine;

/**
 * Creates the Redshift engine. Options are validated here (zod), and the password policy is checked against
 * Redshift's rules, so a bad configuration fails when the function starts.
 *
 * @example
 * ```ts
 * // Direct connections (VPC), TLS verified against Node's roots; endpoints from DescribeClusters:
 * const engine = redshiftEngine({ clusterIdentifier: 'analytics', password: passwordOptionsFromEnv(process.env) });
 * // The Data API for statements, direct logins to prove the passwords:
 * const viaDataApi = redshiftEngine({ transport: 'data-api', workgroupName: 'reporting' });
 * ```
 */
export function redshiftEngine(options: RedshiftEngineOptions = {}): RedshiftEngine {
  const resolved = parseRedshiftOptions(options);
  const passwordPolicy = redshiftPasswordPolicy(resolved.password);
  const configuredTarget: RedshiftTarget | undefined = resolved.clusterIdentifier
    ? { clusterIdentifier: resolved.clusterIdentifier }
    : resolved.workgroupName
      ? { workgroupName: resolved.workgroupName }
      : undefined;
  let controlPlane: Promise<ControlPlane> | undefined;
  const loadControlPlane = () => {
    controlPlane ??= import('./control-plane.js').then(({ createControlPlane }) =>
      createControlPlane(resolved.controlPlane, resolved.controlPlane.region),
    );
    return controlPlane;
  };
  const runtime: RedshiftRuntime = {
    options: resolved,
    endpoints: createEndpointResolver({
      allowedHosts: resolved.allowedHosts?.map((entry) => parseHostPort(entry, DEFAULT_PORT)),
      configuredTarget,
      tls: resolved.pg.tls,
      controlPlane: loadControlPlane,
    }),
    controlPlane: loadControlPlane,
    dataClient: dataClientFactory(resolved),
    logsInDirectly: resolved.transport === 'pg' || resolved.dataApi.loginCheck === 'pg',
  };
  return defineEngine<RedshiftSecret, RedshiftEngine>({
    contractVersion: ENGINE_CONTRACT_VERSION,
    engineId: 'redshift',
    secretSchema: redshiftSecretSchema,
    passwordPolicy,
    passwordsPerUser: 1,
    changeAuthority: 'credentials',
    canCloneUsers: true,
    asyncChanges: false,
    alternateUser,
    preflight: (request, context) => preflight(runtime, request, context),
    login: (request, context) => login(runtime, request, context),
    setPasswords: (request, context) => setPasswords(runtime, request, context),
    cloneUser: (request, context) => cloneUser(runtime, request, context),
  });
}
