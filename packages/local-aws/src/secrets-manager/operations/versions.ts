/** The versions of a secret and their staging labels: values in, values out, labels moved. */
import { randomUUID } from 'node:crypto';
import { AwsApiError } from '../../service.js';
import { tokenInUse } from '../errors.js';
import { type Input, optionalBoolean, optionalString, optionalStringList, requiredString } from '../input.js';
import {
  AWSCURRENT,
  AWSPENDING,
  hasValue,
  type SecretRecord,
  type SecretVersionRecord,
  versionById,
  versionWithStage,
} from '../model.js';
import { paginate } from '../paginate.js';
import { compact, seconds } from '../render.js';
import { nextRotationDate } from '../rotation-rules.js';
import { attachStage, detachStage, pruneDeprecatedVersions } from '../stages.js';
import { SECRET_ID_RULES, type SecretsContext, TOKEN_RULES } from './context.js';

const MAX_VALUE_LENGTH = 65_536;
const DAY_MS = 24 * 60 * 60 * 1000;
const startOfUtcDay = (ms: number) => Math.floor(ms / DAY_MS) * DAY_MS;

export interface SecretValue {
  secretString?: string | undefined;
  secretBinary?: string | undefined;
}

/** SecretString or SecretBinary (never both), within AWS's 65,536-byte limit. */
export function readValue(input: Input): SecretValue {
  const secretString = optionalString(input, 'SecretString', { min: 1, max: MAX_VALUE_LENGTH });
  const secretBinary = optionalString(input, 'SecretBinary', { min: 1 });
  if (secretString !== undefined && secretBinary !== undefined) {
    throw new AwsApiError(
      'InvalidParameterException',
      "You can't specify both a binary secret value and a string secret value in the same secret.",
    );
  }
  if (secretBinary !== undefined && Buffer.from(secretBinary, 'base64').length > MAX_VALUE_LENGTH) {
    throw new AwsApiError('InvalidParameterException', 'SecretBinary must be at most 65536 bytes.');
  }
  return { secretString, secretBinary };
}

export const sameValue = (version: SecretVersionRecord, value: SecretValue) =>
  version.secretString === value.secretString && version.secretBinary === value.secretBinary;

/**
 * Adds a version with a value and attaches its labels (default AWSCURRENT; the first version of a
 * secret always gets AWSCURRENT). Creating a new AWSCURRENT version abandons a running rotation.
 */
export function addVersion(
  context: SecretsContext,
  secret: SecretRecord,
  input: SecretValue & { versionId: string; stages?: string[] },
  now: number,
): SecretVersionRecord {
  const { runner, logger } = context;
  const stages = [...new Set(input.stages ?? [AWSCURRENT])];
  if (!versionWithStage(secret, AWSCURRENT) && !stages.includes(AWSCURRENT)) stages.push(AWSCURRENT);
  const version: SecretVersionRecord = {
    versionId: input.versionId,
    ...(input.secretString !== undefined ? { secretString: input.secretString } : {}),
    ...(input.secretBinary !== undefined ? { secretBinary: input.secretBinary } : {}),
    stages: [],
    createdDate: now,
  };
  const rotating = runner?.isUnfinished(secret.arn) ? runner.latest(secret.arn) : undefined;
  secret.versions.push(version);
  for (const stage of stages) attachStage(secret, stage, version);
  if (runner && rotating) {
    // Any new version created during a rotation abandons it, and AWS removes AWSPENDING from the
    // rotation's version "to allow future rotations to succeed" (CloudTrail RotationAbandoned).
    runner.abandon(secret.arn);
    const abandoned = versionById(secret, rotating.clientRequestToken);
    if (abandoned && abandoned !== version) detachStage(abandoned, AWSPENDING);
    logger.info('Rotation abandoned: a new version was created during it', {
      secretArn: secret.arn,
      clientRequestToken: rotating.clientRequestToken,
      newVersionId: version.versionId,
    });
  }
  if (stages.includes(AWSCURRENT)) {
    // A manual change of the value counts as a rotation for the schedule.
    if (secret.rotationEnabled) {
      const next = nextRotationDate(secret.rotationRules, now);
      if (next !== undefined) secret.nextRotationDate = next;
    }
  }
  secret.lastChangedDate = now;
  pruneDeprecatedVersions(secret, now);
  return version;
}

export function getSecretValue(context: SecretsContext, input: Input, now: number) {
  const secret = context.repository.lookupLive(requiredString(input, 'SecretId', SECRET_ID_RULES));
  const versionId = optionalString(input, 'VersionId', TOKEN_RULES);
  const stage = optionalString(input, 'VersionStage', { min: 1, max: 256 });
  let version: SecretVersionRecord | undefined;
  let missing: string;
  if (versionId !== undefined) {
    version = versionById(secret, versionId);
    missing = `VersionId: ${versionId}`;
    if (version && stage !== undefined && !version.stages.includes(stage)) {
      throw new AwsApiError(
        'InvalidRequestException',
        'You provided a VersionStage that is not associated to the provided VersionId.',
      );
    }
  } else {
    version = versionWithStage(secret, stage ?? AWSCURRENT);
    missing = `staging label: ${stage ?? AWSCURRENT}`;
  }
  if (!version || !hasValue(version)) {
    throw new AwsApiError(
      'ResourceNotFoundException',
      `Secrets Manager can't find the specified secret value for ${missing}`,
    );
  }
  const day = startOfUtcDay(now);
  if (version.lastAccessedDate !== day || secret.lastAccessedDate !== day) {
    version.lastAccessedDate = day;
    secret.lastAccessedDate = day;
    context.repository.persist();
  }
  return compact({
    ARN: secret.arn,
    Name: secret.name,
    VersionId: version.versionId,
    SecretString: version.secretString,
    SecretBinary: version.secretBinary,
    VersionStages: [...version.stages],
    CreatedDate: seconds(version.createdDate),
  });
}

export function putSecretValue(context: SecretsContext, input: Input, now: number) {
  const secret = context.repository.lookupLive(requiredString(input, 'SecretId', SECRET_ID_RULES));
  const token = optionalString(input, 'ClientRequestToken', TOKEN_RULES) ?? randomUUID();
  const stages = optionalStringList(input, 'VersionStages', { minItems: 1, maxItems: 20 });
  optionalString(input, 'RotationToken', { min: 36, max: 256 });
  const value = readValue(input);
  if (value.secretString === undefined && value.secretBinary === undefined) {
    throw new AwsApiError(
      'InvalidParameterException',
      'You must provide either SecretString or SecretBinary.',
    );
  }
  let version = versionById(secret, token);
  if (version && hasValue(version)) {
    if (!sameValue(version, value)) throw tokenInUse(token, secret);
    return {
      ARN: secret.arn,
      Name: secret.name,
      VersionId: version.versionId,
      VersionStages: [...version.stages],
    };
  }
  if (version) {
    // The empty AWSPENDING placeholder RotateSecret created: the rotation function fills it.
    Object.assign(
      version,
      value.secretString !== undefined
        ? { secretString: value.secretString }
        : { secretBinary: value.secretBinary },
    );
    for (const stage of stages ?? [AWSCURRENT]) attachStage(secret, stage, version);
    secret.lastChangedDate = now;
  } else {
    version = addVersion(context, secret, { versionId: token, ...value, ...(stages ? { stages } : {}) }, now);
  }
  return {
    ARN: secret.arn,
    Name: secret.name,
    VersionId: version.versionId,
    VersionStages: [...version.stages],
  };
}

export function updateSecretVersionStage(context: SecretsContext, input: Input, now: number) {
  const secret = context.repository.lookupLive(requiredString(input, 'SecretId', SECRET_ID_RULES));
  const stage = requiredString(input, 'VersionStage', { min: 1, max: 256 });
  const removeFromId = optionalString(input, 'RemoveFromVersionId', TOKEN_RULES);
  const moveToId = optionalString(input, 'MoveToVersionId', TOKEN_RULES);
  if (removeFromId === undefined && moveToId === undefined) {
    throw new AwsApiError(
      'InvalidParameterException',
      'You must specify MoveToVersionId or RemoveFromVersionId.',
    );
  }
  const removeFrom = removeFromId === undefined ? undefined : versionById(secret, removeFromId);
  if (removeFromId !== undefined) {
    if (!removeFrom)
      throw new AwsApiError('InvalidParameterException', `Not a valid version: ${removeFromId}`);
    if (!removeFrom.stages.includes(stage)) {
      throw new AwsApiError(
        'InvalidParameterException',
        `The staging label ${stage} is not attached to version ${removeFromId}.`,
      );
    }
  }
  if (moveToId === undefined) {
    if (stage === AWSCURRENT) {
      throw new AwsApiError(
        'InvalidParameterException',
        `You can't remove the staging label ${AWSCURRENT} without moving it to another version with MoveToVersionId.`,
      );
    }
    // removeFromId is set here (checked above), so removeFrom is the version found.
    if (removeFrom) detachStage(removeFrom, stage);
  } else {
    const target = versionById(secret, moveToId);
    if (!target) throw new AwsApiError('InvalidParameterException', `Not a valid version: ${moveToId}`);
    const holder = versionWithStage(secret, stage);
    if (holder && holder !== target && holder !== removeFrom) {
      throw new AwsApiError(
        'InvalidParameterException',
        `The parameter RemoveFromVersionId can't be empty. Staging label ${stage} is currently attached to version ${holder.versionId}, so you must explicitly reference that version in RemoveFromVersionId.`,
      );
    }
    if (!target.stages.includes(stage) && target.stages.length >= 20) {
      throw new AwsApiError('LimitExceededException', 'A version can have at most 20 staging labels.');
    }
    attachStage(secret, stage, target);
  }
  secret.lastChangedDate = now;
  pruneDeprecatedVersions(secret, now);
  return { ARN: secret.arn, Name: secret.name };
}

export function listSecretVersionIds(context: SecretsContext, input: Input) {
  const secret = context.repository.lookup(requiredString(input, 'SecretId', SECRET_ID_RULES));
  const includeDeprecated = optionalBoolean(input, 'IncludeDeprecated') ?? false;
  const versions = secret.versions
    .filter((version) => includeDeprecated || version.stages.length > 0)
    .map((version) =>
      compact({
        VersionId: version.versionId,
        VersionStages: version.stages.length > 0 ? [...version.stages] : undefined,
        LastAccessedDate: seconds(version.lastAccessedDate),
        CreatedDate: seconds(version.createdDate),
      }),
    );
  const page = paginate(versions, input);
  return compact({ ARN: secret.arn, Name: secret.name, Versions: page.items, NextToken: page.nextToken });
}
