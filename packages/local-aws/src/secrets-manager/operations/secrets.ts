/** The secret itself: create, describe, update, list, tag, delete and restore. */
import { randomUUID } from 'node:crypto';
import { AwsApiError } from '../../service.js';
import { newSecretArn } from '../arn.js';
import { tokenInUse } from '../errors.js';
import {
  type Input,
  optionalBoolean,
  optionalInteger,
  optionalObjectList,
  optionalString,
  optionalStringList,
  requiredString,
} from '../input.js';
import { FILTER_KEYS, matchesFilter } from '../list-filters.js';
import { hasValue, type SecretRecord, type Tag, versionById } from '../model.js';
import { paginate } from '../paginate.js';
import { compact, describeSecretOutput, listEntryOutput, seconds } from '../render.js';
import { markedForDeletion } from '../repository.js';
import { SECRET_ID_RULES, type SecretsContext, TOKEN_RULES } from './context.js';
import { addVersion, readValue, sameValue } from './versions.js';

const DAY_MS = 24 * 60 * 60 * 1000;
const NAME_PATTERN = /^[A-Za-z0-9/_+=.@-]+$/;

function readTags(input: Input, field: string): Tag[] | undefined {
  const list = optionalObjectList(input, field);
  return list?.map((tag) => ({
    Key: requiredString(tag, 'Key', { min: 1, max: 128 }),
    Value: requiredString(tag, 'Value', { max: 256 }),
  }));
}

export function createSecret(context: SecretsContext, input: Input, now: number) {
  const { repository } = context;
  const name = requiredString(input, 'Name', { min: 1, max: 512 });
  if (!NAME_PATTERN.test(name)) {
    throw new AwsApiError(
      'ValidationException',
      'Invalid name. Must be a valid name containing alphanumeric characters, or any of the following: -/_+=.@!',
    );
  }
  const token = optionalString(input, 'ClientRequestToken', TOKEN_RULES);
  const description = optionalString(input, 'Description', { max: 2048 });
  const kmsKeyId = optionalString(input, 'KmsKeyId', { max: 2048 });
  const tags = readTags(input, 'Tags');
  const value = readValue(input);
  optionalBoolean(input, 'ForceOverwriteReplicaSecret');

  const existing = repository.find(name);
  if (existing) {
    if (existing.deletedDate !== undefined) {
      throw new AwsApiError(
        'InvalidRequestException',
        "You can't create this secret because a secret with this name is already scheduled for deletion.",
      );
    }
    const version = token ? versionById(existing, token) : undefined;
    if (!token || !version) {
      throw new AwsApiError(
        'ResourceExistsException',
        `The operation failed because the secret ${name} already exists.`,
      );
    }
    if (!sameValue(version, value)) throw tokenInUse(token, existing);
    return { ARN: existing.arn, Name: existing.name, VersionId: version.versionId };
  }

  const secret: SecretRecord = {
    arn: newSecretArn(context.region, context.accountId, name),
    name,
    ...(description !== undefined ? { description } : {}),
    ...(kmsKeyId !== undefined ? { kmsKeyId } : {}),
    tags: tags ?? [],
    createdDate: now,
    lastChangedDate: now,
    versions: [],
  };
  repository.add(secret);
  let versionId: string | undefined;
  if (value.secretString !== undefined || value.secretBinary !== undefined) {
    versionId = addVersion(context, secret, { versionId: token ?? randomUUID(), ...value }, now).versionId;
  }
  return compact({ ARN: secret.arn, Name: secret.name, VersionId: versionId });
}

export function describeSecret(context: SecretsContext, input: Input) {
  const secret = context.repository.lookup(requiredString(input, 'SecretId', SECRET_ID_RULES));
  return describeSecretOutput(secret, context.region);
}

export function updateSecret(context: SecretsContext, input: Input, now: number) {
  const secret = context.repository.lookupLive(requiredString(input, 'SecretId', SECRET_ID_RULES));
  const token = optionalString(input, 'ClientRequestToken', TOKEN_RULES);
  const description = optionalString(input, 'Description', { max: 2048 });
  const kmsKeyId = optionalString(input, 'KmsKeyId', { max: 2048 });
  const value = readValue(input);
  const hasNewValue = value.secretString !== undefined || value.secretBinary !== undefined;
  const versionId = token ?? randomUUID();
  const existing = hasNewValue ? versionById(secret, versionId) : undefined;
  // Checked before anything changes: a refused request writes nothing.
  if (existing && (!hasValue(existing) || !sameValue(existing, value))) throw tokenInUse(versionId, secret);
  if (description !== undefined) secret.description = description;
  if (kmsKeyId !== undefined) secret.kmsKeyId = kmsKeyId;
  secret.lastChangedDate = now;
  if (!hasNewValue) return { ARN: secret.arn, Name: secret.name };
  if (existing) return { ARN: secret.arn, Name: secret.name, VersionId: existing.versionId };
  addVersion(context, secret, { versionId, ...value }, now);
  return { ARN: secret.arn, Name: secret.name, VersionId: versionId };
}

export function listSecrets(context: SecretsContext, input: Input) {
  const includePlanned = optionalBoolean(input, 'IncludePlannedDeletion') ?? false;
  const sortOrder = optionalString(input, 'SortOrder');
  if (sortOrder !== undefined && sortOrder !== 'asc' && sortOrder !== 'desc') {
    throw new AwsApiError(
      'ValidationException',
      `1 validation error detected: Value '${sortOrder}' at 'sortOrder' failed to satisfy constraint: Member must satisfy enum value set: [asc, desc]`,
    );
  }
  const filters = (optionalObjectList(input, 'Filters') ?? []).map((filter) => ({
    key: requiredString(filter, 'Key'),
    values: optionalStringList(filter, 'Values', { minItems: 1, maxItems: 10 }) ?? [],
  }));
  for (const filter of filters) {
    if (!(FILTER_KEYS as readonly string[]).includes(filter.key)) {
      throw new AwsApiError('InvalidParameterException', `Invalid filter key: ${filter.key}`);
    }
  }
  const list = [...context.repository.all()]
    .filter((secret) => includePlanned || secret.deletedDate === undefined)
    .filter((secret) => filters.every((filter) => matchesFilter(secret, filter, context.region)))
    .sort((a, b) => (sortOrder === 'desc' ? b.createdDate - a.createdDate : a.createdDate - b.createdDate))
    .map((secret) => listEntryOutput(secret, context.region));
  const page = paginate(list, input);
  return compact({ SecretList: page.items, NextToken: page.nextToken });
}

export function deleteSecret(context: SecretsContext, input: Input, now: number) {
  const secret = context.repository.lookup(requiredString(input, 'SecretId', SECRET_ID_RULES));
  const window = optionalInteger(input, 'RecoveryWindowInDays');
  const force = optionalBoolean(input, 'ForceDeleteWithoutRecovery') ?? false;
  if (window !== undefined && force) {
    throw new AwsApiError(
      'InvalidParameterException',
      "You can't use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays.",
    );
  }
  if (window !== undefined && (window < 7 || window > 30)) {
    throw new AwsApiError(
      'InvalidParameterException',
      'The RecoveryWindowInDays value must be between 7 and 30 days (inclusive).',
    );
  }
  if (secret.deletedDate !== undefined && !force) throw markedForDeletion();
  context.runner?.cancel(secret.arn);
  if (force) {
    context.repository.remove(secret.arn);
    return { ARN: secret.arn, Name: secret.name, DeletionDate: seconds(now) };
  }
  secret.deletedDate = now;
  secret.deletionDate = now + (window ?? 30) * DAY_MS;
  secret.lastChangedDate = now;
  return { ARN: secret.arn, Name: secret.name, DeletionDate: seconds(secret.deletionDate) };
}

export function restoreSecret(context: SecretsContext, input: Input, now: number) {
  const secret = context.repository.lookup(requiredString(input, 'SecretId', SECRET_ID_RULES));
  delete secret.deletedDate;
  delete secret.deletionDate;
  secret.lastChangedDate = now;
  return { ARN: secret.arn, Name: secret.name };
}

export function tagResource(context: SecretsContext, input: Input, now: number) {
  const secret = context.repository.lookupLive(requiredString(input, 'SecretId', SECRET_ID_RULES));
  const tags = readTags(input, 'Tags');
  if (!tags)
    throw new AwsApiError(
      'ValidationException',
      "1 validation error detected: Value null at 'tags' failed to satisfy constraint: Member must not be null",
    );
  const merged = secret.tags.map((tag) => ({ ...tag }));
  for (const tag of tags) {
    const existing = merged.find((candidate) => candidate.Key === tag.Key);
    if (existing) existing.Value = tag.Value;
    else merged.push(tag);
  }
  if (merged.length > 50) {
    throw new AwsApiError('InvalidParameterException', 'A secret can have at most 50 tags.');
  }
  secret.tags = merged;
  secret.lastChangedDate = now;
  return {};
}

export function untagResource(context: SecretsContext, input: Input, now: number) {
  const secret = context.repository.lookupLive(requiredString(input, 'SecretId', SECRET_ID_RULES));
  const keys = optionalStringList(input, 'TagKeys') ?? [];
  secret.tags = secret.tags.filter((tag) => !keys.includes(tag.Key));
  secret.lastChangedDate = now;
  return {};
}
