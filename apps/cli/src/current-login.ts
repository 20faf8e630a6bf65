/**
 * While a rotation is pending, `rotor status` logs in with AWSCURRENT: a single-user rotation interrupted
 * after setSecret leaves the target refusing AWSCURRENT, and that is an outage now, not in 15 minutes. The
 * engine is the one given with --engine, or the one the secret's shape names.
 */
import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { RotorLogger } from '@rotor/core';
import type { AwsClientConfig } from './aws-config.js';
import {
  cliStepContext,
  describeError,
  parseJsonObject,
  rememberPasswords,
  scrubSecrets,
} from './engine-context.js';
import { createEngine, ENGINE_IDS, type EngineId } from './engines.js';
import type { CurrentLoginCheck, SecretSnapshot } from './secret-status.js';

export interface CurrentLoginOptions {
  client: SecretsManagerClient;
  snapshot: SecretSnapshot;
  engine: EngineId | undefined;
  engineOptions: Record<string, unknown> | undefined;
  aws: AwsClientConfig;
  /** The global flags to repeat in the resume command (`--endpoint ...`). */
  globalArgs: string[];
  logger: RotorLogger;
  signal?: AbortSignal | undefined;
}

/** The engine a secret's shape names: ElastiCache's `user_arn`, or the RDS-style `engine` field. */
export function engineOfSecret(value: Record<string, unknown>): EngineId | undefined {
  if (typeof value.user_arn === 'string') return 'elasticache';
  const engine = typeof value.engine === 'string' ? value.engine.toLowerCase() : '';
  if (engine === 'postgresql') return 'postgres';
  return (ENGINE_IDS as readonly string[]).includes(engine) ? (engine as EngineId) : undefined;
}

/** `rotor rotate <id> --engine <e> --token <pending> [--engine-options '<json>'] [--endpoint <url>]` */
export function resumeCommand(
  secretName: string,
  engine: string,
  pendingVersionId: string,
  engineOptions: Record<string, unknown> | undefined,
  globalArgs: readonly string[],
): string {
  const quote = (text: string) => (/^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`);
  const args = ['rotor', 'rotate', secretName, '--engine', engine, '--token', pendingVersionId];
  if (engineOptions && Object.keys(engineOptions).length > 0) {
    args.push('--engine-options', JSON.stringify(engineOptions));
  }
  return [...args, ...globalArgs].map(quote).join(' ');
}

export async function checkCurrentLogin(
  options: CurrentLoginOptions,
): Promise<CurrentLoginCheck | undefined> {
  const { snapshot } = options;
  const current = snapshot.versions.find((version) => version.stages.includes('AWSCURRENT'));
  const pending = snapshot.versions.find(
    (version) => version.stages.includes('AWSPENDING') && version !== current,
  );
  if (!current || !pending) return undefined;
  const values = new Set<string>();
  const check = (engine: string, status: CurrentLoginCheck['status'], detail: string): CurrentLoginCheck => ({
    engine,
    status,
    detail: scrubSecrets(detail, values),
    resumeCommand: resumeCommand(
      snapshot.name,
      engine === 'unknown' ? '<engine>' : engine,
      pending.versionId,
      options.engineOptions,
      options.globalArgs,
    ),
  });
  const read = await options.client.send(
    new GetSecretValueCommand({ SecretId: snapshot.arn, VersionStage: 'AWSCURRENT' }),
  );
  const parsed = parseJsonObject(read.SecretString);
  if (!parsed.ok) return check(options.engine ?? 'unknown', 'not-checked', `AWSCURRENT ${parsed.reason}`);
  rememberPasswords(parsed.value, values);
  const engineId = options.engine ?? engineOfSecret(parsed.value);
  if (!engineId) return check('unknown', 'not-checked', 'the engine is not known (give --engine)');
  try {
    const engine = await createEngine(engineId, { aws: options.aws, options: options.engineOptions ?? {} });
    const secret = engine.secretSchema.safeParse(parsed.value);
    if (!secret.success)
      return check(engineId, 'not-checked', `AWSCURRENT does not match the ${engineId} engine's schema`);
    if (secret.data.password === undefined)
      return check(engineId, 'not-checked', 'AWSCURRENT has no password yet');
    const outcome = await engine.login(
      { user: secret.data },
      cliStepContext(options, snapshot.arn, 'testSecret'),
    );
    if (outcome.status === 'accepted')
      return check(engineId, 'accepted', `logged in as "${secret.data.username}"`);
    if (outcome.status === 'rejected') return check(engineId, 'refused', outcome.reason);
    return check(engineId, 'not-checked', outcome.reason);
  } catch (error) {
    return check(engineId, 'not-checked', describeError(error));
  }
}
