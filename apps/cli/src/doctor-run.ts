import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { RotorLogger, StrategyChoice } from '@rotor/core';
import type { EngineSecret, RotationEngine } from '@rotor/core/engine';
import {
  cliStepContext,
  describeError as describe,
  parseJsonObject,
  rememberPasswords as rememberStrings,
  scrubSecrets as scrub,
} from './engine-context.js';
import { readSecretSnapshot } from './secret-snapshot.js';
import { analyzeSecret } from './secret-status.js';

export type CheckStatus = 'pass' | 'warn' | 'fail' | 'skip';

export interface DoctorCheck {
  id: 'secret' | 'rotation' | 'shape' | 'admin-secret' | 'preflight' | 'login';
  title: string;
  status: CheckStatus;
  detail: string;
}

export interface DoctorReport {
  secret: { arn: string; name: string };
  engine: string;
  checks: DoctorCheck[];
  healthy: boolean;
}

export interface DoctorOptions {
  secretId: string;
  engine: RotationEngine<EngineSecret>;
  strategy: StrategyChoice;
  client: SecretsManagerClient;
  logger: RotorLogger;
  signal?: AbortSignal | undefined;
}

/**
 * Checks a secret against an engine without changing anything: it reads the secret (DescribeSecret,
 * ListSecretVersionIds, GetSecretValue of AWSCURRENT and of the admin secret) and logs in; it never writes to
 * Secrets Manager or the target. Secret values are never part of the report.
 */
export async function runDoctor(options: DoctorOptions): Promise<DoctorReport> {
  const { client, engine } = options;
  const checks: DoctorCheck[] = [];
  const snapshot = await readSecretSnapshot(client, options.secretId);
  const status = analyzeSecret(snapshot, { now: new Date() });
  // Values that must never reach the report, even inside an engine's or driver's error message.
  const secretValues = new Set<string>();
  const report = (): DoctorReport => ({
    secret: { arn: snapshot.arn, name: snapshot.name },
    engine: engine.engineId,
    checks: checks.map((check) => ({ ...check, detail: scrub(check.detail, secretValues) })),
    healthy: checks.every((check) => check.status !== 'fail'),
  });

  checks.push({
    id: 'secret',
    title: 'Secret versions',
    status: status.currentVersionId ? (status.state === 'stuck' ? 'fail' : 'pass') : 'fail',
    detail: status.findings.join(' '),
  });
  checks.push(rotationCheck(status.rotation));

  if (!status.currentVersionId) return report();
  const currentValue = await client.send(
    new GetSecretValueCommand({ SecretId: snapshot.arn, VersionStage: 'AWSCURRENT' }),
  );
  const parsed = parseJsonObject(currentValue.SecretString);
  if (parsed.ok) rememberStrings(parsed.value, secretValues);
  if (!parsed.ok) {
    checks.push({
      id: 'shape',
      title: `Secret shape (${engine.engineId})`,
      status: 'fail',
      detail: parsed.reason,
    });
    return report();
  }
  const shaped = engine.secretSchema.safeParse(parsed.value);
  if (!shaped.success) {
    checks.push({
      id: 'shape',
      title: `Secret shape (${engine.engineId})`,
      status: 'fail',
      // Paths and zod's messages only: never the values.
      detail: shaped.error.issues
        .map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`)
        .join('; '),
    });
    return report();
  }
  const secret = shaped.data;
  checks.push({
    id: 'shape',
    title: `Secret shape (${engine.engineId})`,
    status: 'pass',
    detail: `user "${secret.username}"; fields ${Object.keys(parsed.value).sort().join(', ')}`,
  });

  checks.push(await adminSecretCheck(options, secret, secretValues));

  const context = cliStepContext(options, snapshot.arn, 'createSecret');
  if (engine.preflight) {
    try {
      await engine.preflight({ user: secret }, context);
      checks.push({
        id: 'preflight',
        title: 'Engine pre-checks',
        status: 'pass',
        detail: 'the user exists and may be rotated by this engine',
      });
    } catch (error) {
      checks.push({ id: 'preflight', title: 'Engine pre-checks', status: 'fail', detail: describe(error) });
    }
  }

  if (secret.password === undefined) {
    checks.push({
      id: 'login',
      title: 'Login with AWSCURRENT',
      status: 'skip',
      detail: 'AWSCURRENT has no password yet; the first rotation sets one',
    });
  } else {
    try {
      const outcome = await engine.login(
        { user: secret },
        cliStepContext(options, snapshot.arn, 'testSecret'),
      );
      checks.push({
        id: 'login',
        title: 'Login with AWSCURRENT',
        status: outcome.status === 'accepted' ? 'pass' : outcome.status === 'rejected' ? 'fail' : 'skip',
        detail:
          outcome.status === 'accepted'
            ? `logged in as "${secret.username}"`
            : `${outcome.status === 'rejected' ? 'refused' : 'not tested'}: ${outcome.reason}`,
      });
    } catch (error) {
      checks.push({ id: 'login', title: 'Login with AWSCURRENT', status: 'fail', detail: describe(error) });
    }
  }
  return report();
}

function rotationCheck(rotation: ReturnType<typeof analyzeSecret>['rotation']): DoctorCheck {
  if (!rotation.enabled) {
    return {
      id: 'rotation',
      title: 'Rotation configuration',
      status: 'warn',
      detail:
        'rotation is not enabled (RotateSecret with --rotation-lambda-arn and --rotation-rules enables it)',
    };
  }
  if (!rotation.functionArn) {
    return {
      id: 'rotation',
      title: 'Rotation configuration',
      status: 'fail',
      detail: 'enabled, but no rotation function is set',
    };
  }
  return {
    id: 'rotation',
    title: 'Rotation configuration',
    status: 'pass',
    detail: `function ${rotation.functionArn}${rotation.schedule ? `, ${rotation.schedule}` : ', no schedule'}`,
  };
}

async function adminSecretCheck(
  options: DoctorOptions,
  secret: EngineSecret,
  secretValues: Set<string>,
): Promise<DoctorCheck> {
  const title = 'Admin secret (masterarn)';
  const wantsAlternating =
    options.strategy === 'alternating-users' ||
    (options.strategy === 'auto' && secret.masterarn !== undefined && options.engine.canCloneUsers);
  const needsAdmin = wantsAlternating && options.engine.changeAuthority === 'credentials';
  if (!secret.masterarn) {
    return needsAdmin
      ? {
          id: 'admin-secret',
          title,
          status: 'fail',
          detail: 'alternating-users needs "masterarn": the ARN of an admin secret',
        }
      : {
          id: 'admin-secret',
          title,
          status: 'skip',
          detail:
            options.engine.changeAuthority === 'control-plane'
              ? "no masterarn: passwords change through the engine's control plane"
              : 'no masterarn: the user changes its own password',
        };
  }
  try {
    const admin = await options.client.send(
      new GetSecretValueCommand({ SecretId: secret.masterarn, VersionStage: 'AWSCURRENT' }),
    );
    const parsed = parseJsonObject(admin.SecretString);
    if (parsed.ok) rememberStrings(parsed.value, secretValues);
    if (!parsed.ok)
      return { id: 'admin-secret', title, status: 'fail', detail: `the admin secret ${parsed.reason}` };
    const missing = ['username', 'password'].filter((key) => typeof parsed.value[key] !== 'string');
    if (missing.length > 0) {
      return {
        id: 'admin-secret',
        title,
        status: 'fail',
        detail: `the admin secret lacks ${missing.join(' and ')}`,
      };
    }
    return {
      id: 'admin-secret',
      title,
      status: 'pass',
      detail: `admin user "${String(parsed.value.username)}"`,
    };
  } catch (error) {
    return {
      id: 'admin-secret',
      title,
      status: 'fail',
      detail: `cannot read ${secret.masterarn}: ${describe(error)}`,
    };
  }
}
