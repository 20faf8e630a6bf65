/** Rotation of a secret: RotateSecret, CancelRotateSecret, and the schedule's due and re-driven rotations. */
import { randomUUID } from 'node:crypto';
import { policyPermits } from '../../lambda/policy.js';
import { AwsApiError } from '../../service.js';
import { tokenInUse } from '../errors.js';
import { type Input, optionalBoolean, optionalObject, optionalString, requiredString } from '../input.js';
import {
  AWSCURRENT,
  AWSPENDING,
  type SecretRecord,
  type SecretVersionRecord,
  versionById,
  versionWithStage,
} from '../model.js';
import { compact } from '../render.js';
import type { RotationRecord } from '../rotation.js';
import { nextRotationDate, parseRotationRules } from '../rotation-rules.js';
import { attachStage } from '../stages.js';
import { SECRET_ID_RULES, type SecretsContext, TOKEN_RULES } from './context.js';

function cannotInvoke(): AwsApiError {
  return new AwsApiError(
    'AccessDeniedException',
    'Secrets Manager cannot invoke the specified Lambda function. Ensure that the function policy grants access to the principal secretsmanager.amazonaws.com.',
  );
}

export function rotateSecret(context: SecretsContext, input: Input, now: number) {
  const { runner, functions } = context;
  const secret = context.repository.lookupLive(requiredString(input, 'SecretId', SECRET_ID_RULES));
  const token = optionalString(input, 'ClientRequestToken', TOKEN_RULES) ?? randomUUID();
  const lambdaArn = optionalString(input, 'RotationLambdaARN', { max: 2048 });
  const rawRules = optionalObject(input, 'RotationRules');
  const rules = rawRules ? parseRotationRules(rawRules) : undefined;
  const immediate = optionalBoolean(input, 'RotateImmediately') ?? true;

  // A retried RotateSecret call (same token) returns the rotation it already started.
  const latest = runner?.latest(secret.arn);
  if (latest && latest.clientRequestToken === token) {
    return { ARN: secret.arn, Name: secret.name, VersionId: token };
  }
  if (versionById(secret, token)) throw tokenInUse(token, secret);

  const pending = versionWithStage(secret, AWSPENDING);
  if (runner?.isUnfinished(secret.arn) || (pending && !pending.stages.includes(AWSCURRENT))) {
    throw new AwsApiError(
      'InvalidRequestException',
      "A previous rotation isn't complete. That rotation will be reattempted.",
    );
  }
  const functionArn = lambdaArn ?? secret.rotationLambdaArn;
  if (!functionArn) {
    throw new AwsApiError(
      'InvalidRequestException',
      'No Lambda rotation function ARN is associated with this secret.',
    );
  }
  const fn = functions?.resolve(functionArn);
  // The function's resource policy must let Secrets Manager invoke it for this secret (Lambda's
  // resource-based policies; functions registered by configuration are pre-authorized).
  const permitted =
    fn !== undefined &&
    policyPermits(fn.policy, {
      principal: 'secretsmanager.amazonaws.com',
      sourceArn: secret.arn,
      sourceAccount: context.accountId,
    });
  if (!fn || !runner || !permitted) throw cannotInvoke();

  secret.rotationLambdaArn = functionArn;
  if (rules) secret.rotationRules = rules;
  secret.rotationEnabled = true;
  secret.lastChangedDate = now;
  const next = nextRotationDate(secret.rotationRules, secret.lastRotatedDate ?? now);
  if (next !== undefined) secret.nextRotationDate = next;
  else delete secret.nextRotationDate;

  // The new version: empty and labelled AWSPENDING (a leftover AWSPENDING on the current version moves).
  // The configuration test of RotateImmediately=false carries the current value instead.
  const current = versionWithStage(secret, AWSCURRENT);
  const version: SecretVersionRecord = { versionId: token, stages: [], createdDate: now };
  if (!immediate && current) {
    if (current.secretString !== undefined) version.secretString = current.secretString;
    if (current.secretBinary !== undefined) version.secretBinary = current.secretBinary;
  }
  secret.versions.push(version);
  attachStage(secret, AWSPENDING, version);
  runner.start({ secret, fn, token, immediate });
  return { ARN: secret.arn, Name: secret.name, VersionId: token };
}

export function cancelRotateSecret(context: SecretsContext, input: Input, now: number) {
  const secret = context.repository.lookupLive(requiredString(input, 'SecretId', SECRET_ID_RULES));
  context.runner?.cancel(secret.arn);
  secret.rotationEnabled = false;
  delete secret.nextRotationDate;
  secret.lastChangedDate = now;
  const pending = versionWithStage(secret, AWSPENDING);
  return compact({ ARN: secret.arn, Name: secret.name, VersionId: pending?.versionId });
}

/**
 * Starts a rotation for every secret whose NextRotationDate is at or before `now`, as AWS's schedule does.
 * A due secret whose rotation cannot start is reported once per due date (`reported`), not at every check.
 */
export function rotateDueSecrets(
  context: SecretsContext,
  reported: Map<string, number>,
  now: number,
): RotationRecord[] {
  const started: RotationRecord[] = [];
  const { runner, repository, logger } = context;
  if (!runner) return started;
  repository.purgeExpired(Date.now());
  for (const secret of [...repository.all()]) {
    const due = secret.nextRotationDate;
    if (!secret.rotationEnabled || secret.deletedDate !== undefined || due === undefined || due > now)
      continue;
    if (runner.isUnfinished(secret.arn)) continue;
    try {
      rotateSecret(context, { SecretId: secret.arn }, Date.now());
      repository.persist();
      const record = runner.latest(secret.arn);
      if (record) started.push(record);
      reported.delete(secret.arn);
    } catch (error) {
      if (reported.get(secret.arn) !== due) {
        reported.set(secret.arn, due);
        logger.warn('Scheduled rotation could not start', {
          secretArn: secret.arn,
          error: error instanceof Error ? error.message : String(error),
        });
      }
    }
  }
  return started;
}

/**
 * Re-drives, with its own token, every incomplete rotation (AWSPENDING on a version that is not AWSCURRENT)
 * that is not running and has been failed for at least `redriveAfterMs`.
 */
export function redriveFailedRotations(
  context: SecretsContext,
  options: { now: number; secretId?: string | undefined; redriveAfterMs: number },
): RotationRecord[] {
  const redriven: RotationRecord[] = [];
  const { runner, repository, functions } = context;
  if (!runner) return redriven;
  const only = options.secretId ? repository.find(options.secretId) : undefined;
  const candidates: SecretRecord[] = only ? [only] : [...repository.all()];
  for (const secret of candidates) {
    if (!secret.rotationEnabled || secret.deletedDate !== undefined) continue;
    if (runner.isUnfinished(secret.arn)) continue;
    const pending = versionWithStage(secret, AWSPENDING);
    if (!pending || pending.stages.includes(AWSCURRENT)) continue;
    const latest = runner.latest(secret.arn);
    if (latest?.endedAt !== undefined && options.now - latest.endedAt < options.redriveAfterMs) continue;
    const fn = secret.rotationLambdaArn ? functions?.resolve(secret.rotationLambdaArn) : undefined;
    if (!fn) continue;
    redriven.push(runner.redrive({ secret, fn, token: pending.versionId }));
  }
  return redriven;
}
