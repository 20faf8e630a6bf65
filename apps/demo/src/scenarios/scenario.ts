/**
 * What every scenario (one engine, one strategy) shares: the endpoint, the operator's SDK clients, the
 * servers, and the shape of a prepared scenario the rotation loop drives.
 */
import type { ElastiCacheClient } from '@aws-sdk/client-elasticache';
import type { RedshiftDataClient } from '@aws-sdk/client-redshift-data';
import { RotateSecretCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { StrategyId } from '@rotor/core';
import type { LocalAws } from '@rotor/local-aws';
import type { DemoServers } from '../environment/servers.js';
import type { CallCounter } from '../workload/api-calls.js';
import type { LoginAttempt } from '../workload/login-workers.js';

export type DemoEngine = 'elasticache' | 'redshift';

export const STRATEGIES_BY_ENGINE: Record<DemoEngine, readonly StrategyId[]> = {
  // AWS's own ElastiCache function keeps two passwords (dual-password); the others are Rotor's additions.
  elasticache: ['dual-password', 'single-user', 'alternating-users'],
  // The seed page's two options: "Use this secret" (single user) and a master secret (alternating users).
  redshift: ['single-user', 'alternating-users'],
};

export interface ScenarioEnvironment {
  aws: LocalAws;
  servers: DemoServers;
  /** Counts every call the demo itself sends, so the rotation functions' calls can be told apart. */
  counter: CallCounter;
  /** The operator's clients (counted). */
  secretsManager: SecretsManagerClient;
  elasticache: ElastiCacheClient | undefined;
  redshiftData: RedshiftDataClient | undefined;
  bundles: Partial<Record<DemoEngine, string>>;
  /** Creates a further counted Secrets Manager client (one per client worker pool). */
  newSecretsManagerClient(): SecretsManagerClient;
  /** A line for the operator's log (what an operator would type or see). */
  log(line: string): void;
  /** How long the emulated ElastiCache keeps a user `modifying`. */
  modifyingDelayMs: number;
}

/** Which client logs in: Rotor's rotation-aware one, or a naive one (cached AWSCURRENT, no recovery). */
export type ClientKind = 'rotor' | 'naive';

export interface PreparedScenario {
  engine: DemoEngine;
  strategy: StrategyId;
  /** The rotated secret's name. */
  secretId: string;
  /** A login attempt (fresh connection, one query, close) for client workers of the given kind. */
  loginAttempt(kind: ClientKind): LoginAttempt;
  /** Releases clients the scenario opened. */
  close(): Promise<void>;
}

/** Short user-name fragment per strategy (ElastiCache user ids and PostgreSQL role names both accept it). */
export const STRATEGY_SLUG: Record<StrategyId, string> = {
  'dual-password': 'dual',
  'single-user': 'single',
  'alternating-users': 'alt',
};

/**
 * RotateSecret with the function and a 30-day schedule, as the seed pages' "set up rotation" step does; Secrets
 * Manager rotates at once, and the scenario needs that first rotation to succeed.
 */
export async function turnOnRotation(
  env: ScenarioEnvironment,
  secretName: string,
  functionArn: string,
): Promise<void> {
  await env.secretsManager.send(
    new RotateSecretCommand({
      SecretId: secretName,
      RotationLambdaARN: functionArn,
      RotationRules: { AutomaticallyAfterDays: 30 },
    }),
  );
  // Long ElastiCache delays (the bench's sweep) need longer: a rotation waits for `active` twice.
  const first = await env.aws.waitForRotation(secretName, {
    timeoutMs: Math.max(120_000, 6 * env.modifyingDelayMs),
  });
  if (first.status !== 'succeeded') {
    throw new Error(
      `The first rotation of ${secretName} ${first.status}: ${first.error ?? 'no error recorded'}`,
    );
  }
}
