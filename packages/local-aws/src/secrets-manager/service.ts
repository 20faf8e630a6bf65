import { randomUUID } from 'node:crypto';
import type { FunctionHost } from '../lambda/function-host.js';
import { type LocalAwsLogger, silentLogger } from '../logger.js';
import { AwsApiError, type JsonProtocolService } from '../service.js';
import { readStateSection, writeStateSections } from '../state-file.js';
import { findSecret, newSecretArn } from './arn.js';
import {
  type Input,
  optionalBoolean,
  optionalInteger,
  optionalObject,
  optionalObjectList,
  optionalString,
  optionalStringList,
  requiredString,
} from './input.js';
import {
  AWSCURRENT,
  AWSPENDING,
  hasValue,
  type SecretRecord,
  type SecretVersionRecord,
  type Tag,
  versionById,
  versionWithStage,
} from './model.js';
import { randomPassword } from './random-password.js';
import { createRotationRunner, type RotationRecord, type RotationSettings } from './rotation.js';
import { nextRotationDate, parseRotationRules } from './rotation-rules.js';
import { attachStage, detachStage, pruneDeprecatedVersions, versionIdsToStages } from './stages.js';

export interface SecretsManagerServiceOptions {
  region: string;
  accountId: string;
  /** Runs rotation functions; without one, RotateSecret finds no function to invoke. */
  functions?: FunctionHost;
  rotation?: Partial<RotationSettings>;
  /** JSON file the secrets are loaded from and saved to after every change. */
  stateFile?: string;
  logger?: LocalAwsLogger;
}

export interface SecretsManagerService extends JsonProtocolService {
  /** Runs an operation as if it came over the wire (not counted as an API call). */
  call(operation: string, input?: Record<string, unknown>): Promise<Record<string, unknown>>;
  /** The AWSCURRENT SecretString, or undefined when the secret or its value does not exist. */
  readSecretString(secretId: string): Promise<string | undefined>;
  /** Resolves when the latest rotation of the secret succeeded or failed for good. */
  waitForRotation(secretId: string, options?: { timeoutMs?: number }): Promise<RotationRecord>;
  rotations(): RotationRecord[];
  /**
   * Starts a rotation for every secret whose NextRotationDate is at or before `now`, as AWS's schedule does
   * (the `scheduleCheckMs` timer calls this). Returns the rotations started.
   */
  rotateDueSecrets(now?: number): RotationRecord[];
  /**
   * Re-drives, with its own token, every incomplete rotation (AWSPENDING on a version that is not
   * AWSCURRENT) that is not running and has been failed for at least `redriveAfterMs` (the `scheduleCheckMs`
   * timer calls this too); `secretId` limits it to one secret. Returns the rotations re-driven.
   */
  redriveFailedRotations(options?: { now?: number; secretId?: string }): RotationRecord[];
  /**
   * Call once the endpoint serves requests: re-drives the rotations the state file says were running and
   * starts the schedule (functions call the endpoint back, so neither may begin earlier).
   */
  start(): void;
  close(): Promise<void>;
}

const DAY_MS = 24 * 60 * 60 * 1000;
const NAME_PATTERN = /^[A-Za-z0-9/_+=.@-]+$/;
const MAX_VALUE_LENGTH = 65_536;
const TOKEN_RULES = { min: 32, max: 64 };
const MARKED_FOR_DELETION =
  "You can't perform this operation on the secret because it was marked for deletion.";

const seconds = (ms: number | undefined) => (ms === undefined ? undefined : ms / 1000);
const startOfUtcDay = (ms: number) => Math.floor(ms / DAY_MS) * DAY_MS;

/** Drops undefined members, so outputs carry only the fields AWS would send. */
function compact(output: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(output).filter(([, value]) => value !== undefined));
}

function notFound(): AwsApiError {
  return new AwsApiError('ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
}

function tokenInUse(token: string, secret: SecretRecord): AwsApiError {
  return new AwsApiError(
    'ResourceExistsException',
    `You can't use ClientRequestToken ${token} because that value is already in use for a version of secret ${secret.arn}.`,
  );
}

/**
 * Secrets Manager over awsJson1_1 with AWS's version and staging-label semantics, idempotency tokens and
 * errors, plus asynchronous rotation through registered functions (see rotation.ts).
 */
export function createSecretsManagerService(options: SecretsManagerServiceOptions): SecretsManagerService {
  const logger = options.logger ?? silentLogger;
  const secrets = new Map<string, SecretRecord>();
  if (options.stateFile) {
    for (const secret of readStateSection<SecretRecord[]>(options.stateFile, 'secrets') ?? []) {
      secrets.set(secret.arn, secret);
    }
  }
  /**
   * Every change is written when it happens (one atomic replace of the file), secrets and rotation records
   * together, so a SIGKILL loses nothing that was answered or started.
   */
  const persist = () => {
    if (!options.stateFile) return;
    writeStateSections(options.stateFile, {
      secrets: [...secrets.values()],
      ...(runner ? { rotations: runner.saved() } : {}),
    });
  };

  const functions = options.functions;
  const redriveAfterMs = options.rotation?.redriveAfterMs ?? 60_000;
  const runner = functions
    ? createRotationRunner({
        host: {
          secretByArn: (arn) => secrets.get(arn),
          resolveFunction: (arn) => functions.resolve(arn),
          changed: () => persist(),
        },
        functions,
        settings: {
          maxAttempts: options.rotation?.maxAttempts ?? 3,
          retryDelayMs: options.rotation?.retryDelayMs ?? 2_000,
          scheduleCheckMs: options.rotation?.scheduleCheckMs ?? 0,
          redriveAfterMs,
        },
        logger,
      })
    : undefined;
  if (runner && options.stateFile) {
    // Rotations the previous run of the endpoint left unfinished are re-driven, as AWS would carry on.
    runner.restore(readStateSection<RotationRecord[]>(options.stateFile, 'rotations') ?? []);
  }

  /** Secrets past their recovery window are gone, as AWS deletes them then. */
  const purgeExpired = (now: number) => {
    let purged = false;
    for (const [arn, secret] of secrets) {
      if (secret.deletionDate !== undefined && secret.deletionDate <= now) {
        secrets.delete(arn);
        purged = true;
      }
    }
    if (purged) persist();
  };

  const lookup = (secretId: string): SecretRecord => {
    const secret = findSecret(secrets.values(), secretId);
    if (!secret) throw notFound();
    return secret;
  };

  const lookupLive = (secretId: string): SecretRecord => {
    const secret = lookup(secretId);
    if (secret.deletedDate !== undefined)
      throw new AwsApiError('InvalidRequestException', MARKED_FOR_DELETION);
    return secret;
  };

  const readValue = (input: Input) => {
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
  };

  const sameValue = (version: SecretVersionRecord, value: { secretString?: string; secretBinary?: string }) =>
    version.secretString === value.secretString && version.secretBinary === value.secretBinary;

  /**
   * Adds a version with a value and attaches its labels (default AWSCURRENT; the first version of a
   * secret always gets AWSCURRENT). Creating a new AWSCURRENT version abandons a running rotation.
   */
  const addVersion = (
    secret: SecretRecord,
    input: {
      versionId: string;
      secretString?: string | undefined;
      secretBinary?: string | undefined;
      stages?: string[];
    },
    now: number,
  ): SecretVersionRecord => {
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
    if (rotating) {
      // Any new version created during a rotation abandons it, and AWS removes AWSPENDING from the
      // rotation's version "to allow future rotations to succeed" (CloudTrail RotationAbandoned).
      runner!.abandon(secret.arn);
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
  };

  const readTags = (input: Input, field: string): Tag[] | undefined => {
    const list = optionalObjectList(input, field);
    return list?.map((tag) => ({
      Key: requiredString(tag, 'Key', { min: 1, max: 128 }),
      Value: requiredString(tag, 'Value', { max: 256 }),
    }));
  };

  const summary = (secret: SecretRecord) =>
    compact({
      ARN: secret.arn,
      Name: secret.name,
      Description: secret.description,
      KmsKeyId: secret.kmsKeyId,
      RotationEnabled: secret.rotationEnabled,
      RotationLambdaARN: secret.rotationLambdaArn,
      RotationRules: secret.rotationRules,
      LastRotatedDate: seconds(secret.lastRotatedDate),
      LastChangedDate: seconds(secret.lastChangedDate),
      LastAccessedDate: seconds(secret.lastAccessedDate),
      DeletedDate: seconds(secret.deletedDate),
      NextRotationDate: secret.rotationEnabled ? seconds(secret.nextRotationDate) : undefined,
      Tags: secret.tags.length > 0 ? secret.tags : undefined,
      CreatedDate: seconds(secret.createdDate),
      PrimaryRegion: options.region,
    });

  const operations: Record<string, (input: Input, now: number) => Record<string, unknown>> = {
    CreateSecret(input, now) {
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

      const existing = findSecret(secrets.values(), name);
      if (existing) {
        if (existing.deletedDate !== undefined) {
          throw new AwsApiError(
            'InvalidRequestException',
            "You can't create this secret because a secret with this name is already scheduled for deletion.",
          );
        }
        const version = token ? versionById(existing, token) : undefined;
        if (!version) {
          throw new AwsApiError(
            'ResourceExistsException',
            `The operation failed because the secret ${name} already exists.`,
          );
        }
        if (!sameValue(version, value)) throw tokenInUse(token!, existing);
        return { ARN: existing.arn, Name: existing.name, VersionId: version.versionId };
      }

      const secret: SecretRecord = {
        arn: newSecretArn(options.region, options.accountId, name),
        name,
        ...(description !== undefined ? { description } : {}),
        ...(kmsKeyId !== undefined ? { kmsKeyId } : {}),
        tags: tags ?? [],
        createdDate: now,
        lastChangedDate: now,
        versions: [],
      };
      secrets.set(secret.arn, secret);
      let versionId: string | undefined;
      if (value.secretString !== undefined || value.secretBinary !== undefined) {
        versionId = addVersion(secret, { versionId: token ?? randomUUID(), ...value }, now).versionId;
      }
      return compact({ ARN: secret.arn, Name: secret.name, VersionId: versionId });
    },

    DescribeSecret(input) {
      const secret = lookup(requiredString(input, 'SecretId', { min: 1, max: 2048 }));
      return { ...summary(secret), VersionIdsToStages: versionIdsToStages(secret) };
    },

    GetSecretValue(input, now) {
      const secret = lookupLive(requiredString(input, 'SecretId', { min: 1, max: 2048 }));
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
        persist();
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
    },

    PutSecretValue(input, now) {
      const secret = lookupLive(requiredString(input, 'SecretId', { min: 1, max: 2048 }));
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
        version = addVersion(secret, { versionId: token, ...value, ...(stages ? { stages } : {}) }, now);
      }
      return {
        ARN: secret.arn,
        Name: secret.name,
        VersionId: version.versionId,
        VersionStages: [...version.stages],
      };
    },

    UpdateSecret(input, now) {
      const secret = lookupLive(requiredString(input, 'SecretId', { min: 1, max: 2048 }));
      const token = optionalString(input, 'ClientRequestToken', TOKEN_RULES);
      const description = optionalString(input, 'Description', { max: 2048 });
      const kmsKeyId = optionalString(input, 'KmsKeyId', { max: 2048 });
      const value = readValue(input);
      const hasNewValue = value.secretString !== undefined || value.secretBinary !== undefined;
      const versionId = token ?? randomUUID();
      const existing = hasNewValue ? versionById(secret, versionId) : undefined;
      // Checked before anything changes: a refused request writes nothing.
      if (existing && (!hasValue(existing) || !sameValue(existing, value)))
        throw tokenInUse(versionId, secret);
      if (description !== undefined) secret.description = description;
      if (kmsKeyId !== undefined) secret.kmsKeyId = kmsKeyId;
      secret.lastChangedDate = now;
      if (!hasNewValue) return { ARN: secret.arn, Name: secret.name };
      if (existing) return { ARN: secret.arn, Name: secret.name, VersionId: existing.versionId };
      addVersion(secret, { versionId, ...value }, now);
      return { ARN: secret.arn, Name: secret.name, VersionId: versionId };
    },

    UpdateSecretVersionStage(input, now) {
      const secret = lookupLive(requiredString(input, 'SecretId', { min: 1, max: 2048 }));
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
        detachStage(removeFrom!, stage);
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
    },

    ListSecretVersionIds(input) {
      const secret = lookup(requiredString(input, 'SecretId', { min: 1, max: 2048 }));
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
    },

    ListSecrets(input) {
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
        if (
          ![
            'description',
            'name',
            'tag-key',
            'tag-value',
            'primary-region',
            'owning-service',
            'all',
          ].includes(filter.key)
        ) {
          throw new AwsApiError('InvalidParameterException', `Invalid filter key: ${filter.key}`);
        }
      }
      const list = [...secrets.values()]
        .filter((secret) => includePlanned || secret.deletedDate === undefined)
        .filter((secret) => filters.every((filter) => matchesFilter(secret, filter, options.region)))
        .sort((a, b) =>
          sortOrder === 'desc' ? b.createdDate - a.createdDate : a.createdDate - b.createdDate,
        )
        .map((secret) => ({ ...summary(secret), SecretVersionsToStages: versionIdsToStages(secret) }));
      const page = paginate(list, input);
      return compact({ SecretList: page.items, NextToken: page.nextToken });
    },

    DeleteSecret(input, now) {
      const secret = lookup(requiredString(input, 'SecretId', { min: 1, max: 2048 }));
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
      if (secret.deletedDate !== undefined && !force) {
        throw new AwsApiError('InvalidRequestException', MARKED_FOR_DELETION);
      }
      runner?.cancel(secret.arn);
      if (force) {
        secrets.delete(secret.arn);
        return { ARN: secret.arn, Name: secret.name, DeletionDate: seconds(now) };
      }
      secret.deletedDate = now;
      secret.deletionDate = now + (window ?? 30) * DAY_MS;
      secret.lastChangedDate = now;
      return { ARN: secret.arn, Name: secret.name, DeletionDate: seconds(secret.deletionDate) };
    },

    RestoreSecret(input, now) {
      const secret = lookup(requiredString(input, 'SecretId', { min: 1, max: 2048 }));
      delete secret.deletedDate;
      delete secret.deletionDate;
      secret.lastChangedDate = now;
      return { ARN: secret.arn, Name: secret.name };
    },

    TagResource(input, now) {
      const secret = lookupLive(requiredString(input, 'SecretId', { min: 1, max: 2048 }));
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
    },

    UntagResource(input, now) {
      const secret = lookupLive(requiredString(input, 'SecretId', { min: 1, max: 2048 }));
      const keys = optionalStringList(input, 'TagKeys') ?? [];
      secret.tags = secret.tags.filter((tag) => !keys.includes(tag.Key));
      secret.lastChangedDate = now;
      return {};
    },

    GetRandomPassword(input) {
      const length = optionalInteger(input, 'PasswordLength', { min: 1, max: 4096 }) ?? 32;
      return {
        RandomPassword: randomPassword({
          length,
          excludeCharacters: optionalString(input, 'ExcludeCharacters', { max: 4096 }) ?? '',
          excludeNumbers: optionalBoolean(input, 'ExcludeNumbers') ?? false,
          excludePunctuation: optionalBoolean(input, 'ExcludePunctuation') ?? false,
          excludeUppercase: optionalBoolean(input, 'ExcludeUppercase') ?? false,
          excludeLowercase: optionalBoolean(input, 'ExcludeLowercase') ?? false,
          includeSpace: optionalBoolean(input, 'IncludeSpace') ?? false,
          requireEachIncludedType: optionalBoolean(input, 'RequireEachIncludedType') ?? true,
        }),
      };
    },

    RotateSecret(input, now) {
      const secret = lookupLive(requiredString(input, 'SecretId', { min: 1, max: 2048 }));
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
      if (!fn || !runner) {
        throw new AwsApiError(
          'AccessDeniedException',
          'Secrets Manager cannot invoke the specified Lambda function. Ensure that the function policy grants access to the principal secretsmanager.amazonaws.com.',
        );
      }

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
    },

    CancelRotateSecret(input, now) {
      const secret = lookupLive(requiredString(input, 'SecretId', { min: 1, max: 2048 }));
      runner?.cancel(secret.arn);
      secret.rotationEnabled = false;
      delete secret.nextRotationDate;
      secret.lastChangedDate = now;
      const pending = versionWithStage(secret, AWSPENDING);
      return compact({ ARN: secret.arn, Name: secret.name, VersionId: pending?.versionId });
    },
  };

  const mutating = new Set(Object.keys(operations).filter((name) => !/^(Describe|Get|List)/.test(name)));

  const call = async (operation: string, input: Record<string, unknown> = {}) => {
    const handler = operations[operation];
    if (!handler) {
      throw new AwsApiError(
        'UnknownOperationException',
        `The local Secrets Manager does not implement ${operation}. Implemented: ${Object.keys(operations).join(', ')}.`,
      );
    }
    const now = Date.now();
    purgeExpired(now);
    const output = handler(input, now);
    if (mutating.has(operation)) persist();
    return output;
  };

  /** A due secret whose rotation cannot start is reported once per due date, not at every check. */
  const reportedDue = new Map<string, number>();
  const rotateDueSecrets = (now = Date.now()): RotationRecord[] => {
    const started: RotationRecord[] = [];
    if (!runner) return started;
    purgeExpired(Date.now());
    for (const secret of secrets.values()) {
      const due = secret.nextRotationDate;
      if (!secret.rotationEnabled || secret.deletedDate !== undefined || due === undefined || due > now)
        continue;
      if (runner.isUnfinished(secret.arn)) continue;
      try {
        operations.RotateSecret!({ SecretId: secret.arn }, Date.now());
        persist();
        const record = runner.latest(secret.arn);
        if (record) started.push(record);
        reportedDue.delete(secret.arn);
      } catch (error) {
        if (reportedDue.get(secret.arn) !== due) {
          reportedDue.set(secret.arn, due);
          logger.warn('Scheduled rotation could not start', {
            secretArn: secret.arn,
            error: error instanceof Error ? error.message : String(error),
          });
        }
      }
    }
    return started;
  };
  const redriveFailedRotations = (
    redriveOptions: { now?: number; secretId?: string } = {},
  ): RotationRecord[] => {
    const redriven: RotationRecord[] = [];
    if (!runner) return redriven;
    const now = redriveOptions.now ?? Date.now();
    const only = redriveOptions.secretId ? findSecret(secrets.values(), redriveOptions.secretId) : undefined;
    for (const secret of only ? [only] : secrets.values()) {
      if (!secret.rotationEnabled || secret.deletedDate !== undefined) continue;
      if (runner.isUnfinished(secret.arn)) continue;
      const pending = versionWithStage(secret, AWSPENDING);
      if (!pending || pending.stages.includes(AWSCURRENT)) continue;
      const latest = runner.latest(secret.arn);
      if (latest?.endedAt !== undefined && now - latest.endedAt < redriveAfterMs) continue;
      const fn = secret.rotationLambdaArn ? functions?.resolve(secret.rotationLambdaArn) : undefined;
      if (!fn) continue;
      redriven.push(runner.redrive({ secret, fn, token: pending.versionId }));
    }
    return redriven;
  };

  const scheduleCheckMs = options.rotation?.scheduleCheckMs ?? 0;
  let scheduleTimer: NodeJS.Timeout | undefined;

  return {
    protocol: 'awsJson1_1',
    serviceName: 'secretsmanager',
    targetPrefix: 'secretsmanager',
    handle: (operation, input) => call(operation, input),
    call,
    async readSecretString(secretId) {
      const secret = findSecret(secrets.values(), secretId);
      if (!secret || secret.deletedDate !== undefined) return undefined;
      return versionWithStage(secret, AWSCURRENT)?.secretString;
    },
    async waitForRotation(secretId, waitOptions = {}) {
      const secret = findSecret(secrets.values(), secretId);
      if (!secret) throw new Error(`No secret ${secretId}`);
      if (!runner) throw new Error('No rotation function host is configured');
      return runner.wait(secret.arn, waitOptions.timeoutMs ?? 60_000);
    },
    rotations: () => runner?.all() ?? [],
    rotateDueSecrets,
    redriveFailedRotations,
    start() {
      runner?.begin();
      if (scheduleTimer || scheduleCheckMs <= 0) return;
      scheduleTimer = setInterval(() => {
        redriveFailedRotations();
        rotateDueSecrets();
      }, scheduleCheckMs);
      scheduleTimer.unref();
    },
    async close() {
      if (scheduleTimer) clearInterval(scheduleTimer);
      runner?.close();
      persist();
    },
  };
}

function paginate<T>(items: T[], input: Input): { items: T[]; nextToken?: string } {
  const max = optionalInteger(input, 'MaxResults', { min: 1, max: 100 }) ?? 100;
  const token = optionalString(input, 'NextToken', { min: 1, max: 4096 });
  let offset = 0;
  if (token !== undefined) {
    const parsed = Number(Buffer.from(token, 'base64url').toString('utf8'));
    if (!Number.isInteger(parsed) || parsed < 0) {
      throw new AwsApiError('InvalidNextTokenException', 'The NextToken value is invalid.');
    }
    offset = parsed;
  }
  const page = items.slice(offset, offset + max);
  const next =
    offset + max < items.length ? Buffer.from(String(offset + max)).toString('base64url') : undefined;
  return next === undefined ? { items: page } : { items: page, nextToken: next };
}

/** ListSecrets filters: prefix match; a value starting with `!` negates; values of one filter are ORed. */
function matchesFilter(
  secret: SecretRecord,
  filter: { key: string; values: string[] },
  region: string,
): boolean {
  const fields = (key: string): string[] => {
    switch (key) {
      case 'name':
        return [secret.name];
      case 'description':
        return secret.description ? [secret.description] : [];
      case 'tag-key':
        return secret.tags.map((tag) => tag.Key);
      case 'tag-value':
        return secret.tags.map((tag) => tag.Value);
      case 'primary-region':
        return [region];
      case 'owning-service':
        return [];
      default:
        return [...fields('name'), ...fields('description'), ...fields('tag-key'), ...fields('tag-value')];
    }
  };
  const candidates = fields(filter.key);
  const positives = filter.values.filter((value) => !value.startsWith('!'));
  const negatives = filter.values.filter((value) => value.startsWith('!')).map((value) => value.slice(1));
  if (negatives.some((value) => candidates.some((field) => field.startsWith(value)))) return false;
  return (
    positives.length === 0 || positives.some((value) => candidates.some((field) => field.startsWith(value)))
  );
}
