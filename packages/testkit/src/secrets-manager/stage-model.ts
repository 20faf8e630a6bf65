import { randomUUID } from 'node:crypto';

/**
 * Rotor's one test model of Secrets Manager's versions and staging labels. `InMemorySecretsManager` (core's
 * `SecretStore` port) and `mockSecretsManager` (the AWS SDK client through aws-sdk-client-mock) are both views
 * of it, and `describeStageSemantics` runs the same cases against it and against local-aws, so the rules
 * written here and the emulator's cannot drift apart.
 *
 * Inputs and outputs use the API's own member names, so the SDK adapter only forwards. This module imports no
 * Rotor package: `@rotor/core`'s tests reach it without a package cycle (decision 0110).
 */

export const AWSCURRENT = 'AWSCURRENT';
export const AWSPENDING = 'AWSPENDING';
export const AWSPREVIOUS = 'AWSPREVIOUS';

/** A refusal, named as the service names it (`ResourceNotFoundException`, ...). */
export class StageModelError extends Error {
  constructor(
    override readonly name: string,
    message: string,
  ) {
    super(message);
  }
}

interface Version {
  id: string;
  /** Undefined for the empty AWSPENDING placeholder RotateSecret creates. */
  value: string | undefined;
  /** Staging labels; a version without labels is deprecated. */
  stages: string[];
  createdDate: Date;
}

interface StoredSecret {
  arn: string;
  name: string;
  rotationEnabled: boolean | undefined;
  nextRotationDate: Date | undefined;
  tags: Record<string, string>;
  /** In creation order. */
  versions: Version[];
}

export interface CreateSecretOptions {
  /** Default true: the secrets Rotor rotates have rotation on. `undefined` leaves the field out. */
  rotationEnabled?: boolean | undefined;
  tags?: Record<string, string>;
}

/** AWS's bounds for ClientRequestToken / VersionId. */
const TOKEN_LENGTH = { min: 32, max: 64 };
const MAX_PAGE = 100;

export class SecretsManagerModel {
  readonly region: string;
  readonly accountId: string;
  readonly #secrets: StoredSecret[] = [];
  /** Creation dates step by a second so "newest first" is checkable; the clock does not matter here. */
  #clock = Date.UTC(2026, 0, 1);

  constructor(options: { region?: string; accountId?: string } = {}) {
    this.region = options.region ?? 'us-east-1';
    this.accountId = options.accountId ?? '123456789012';
  }

  /** CreateSecret with a value: it becomes AWSCURRENT. Returns the ARN. Strings are stored as given. */
  createSecret(name: string, value: unknown, options: CreateSecretOptions = {}): string {
    if (this.#secrets.some((secret) => secret.name === name)) {
      throw new StageModelError(
        'ResourceExistsException',
        `The operation failed because the secret ${name} already exists.`,
      );
    }
    const suffix = randomUUID().replaceAll('-', '').slice(0, 6);
    const arn = `arn:aws:secretsmanager:${this.region}:${this.accountId}:secret:${name}-${suffix}`;
    this.#secrets.push({
      arn,
      name,
      rotationEnabled: 'rotationEnabled' in options ? options.rotationEnabled : true,
      nextRotationDate: undefined,
      tags: { ...options.tags },
      versions: [this.#version(randomUUID(), encode(value), [AWSCURRENT])],
    });
    return arn;
  }

  /** What RotateSecret does before it invokes the function: an empty version labelled AWSPENDING. */
  startRotation(secretId: string, token: string = randomUUID()): string {
    const secret = this.find(secretId);
    if (versionById(secret, token)) throw tokenInUse(token, secret);
    const version = this.#version(token, undefined, []);
    secret.versions.push(version);
    attach(secret, AWSPENDING, version);
    return token;
  }

  describeSecret(input: { SecretId?: string | undefined }) {
    const secret = this.find(input.SecretId);
    return {
      ARN: secret.arn,
      Name: secret.name,
      ...(secret.rotationEnabled === undefined ? {} : { RotationEnabled: secret.rotationEnabled }),
      ...(secret.nextRotationDate ? { NextRotationDate: secret.nextRotationDate } : {}),
      VersionIdsToStages: versionIdsToStages(secret),
      Tags: Object.entries(secret.tags).map(([Key, Value]) => ({ Key, Value })),
    };
  }

  getSecretValue(input: {
    SecretId?: string | undefined;
    VersionId?: string | undefined;
    VersionStage?: string | undefined;
  }) {
    const secret = this.find(input.SecretId);
    let version: Version | undefined;
    let missing: string;
    if (input.VersionId !== undefined) {
      version = versionById(secret, input.VersionId);
      missing = `VersionId: ${input.VersionId}`;
      if (version && input.VersionStage !== undefined && !version.stages.includes(input.VersionStage)) {
        throw new StageModelError(
          'InvalidRequestException',
          'You provided a VersionStage that is not associated to the provided VersionId.',
        );
      }
    } else {
      const stage = input.VersionStage ?? AWSCURRENT;
      version = versionWithStage(secret, stage);
      missing = `staging label: ${stage}`;
    }
    if (!version || version.value === undefined) {
      throw new StageModelError(
        'ResourceNotFoundException',
        `Secrets Manager can't find the specified secret value for ${missing}`,
      );
    }
    return {
      ARN: secret.arn,
      Name: secret.name,
      VersionId: version.id,
      SecretString: version.value,
      VersionStages: [...version.stages],
      CreatedDate: version.createdDate,
    };
  }

  /**
   * PutSecretValue: idempotent by token for the same value, refused for another; fills RotateSecret's empty
   * placeholder; the labels (default AWSCURRENT) move to the version, AWSPREVIOUS following AWSCURRENT.
   */
  putSecretValue(input: {
    SecretId?: string | undefined;
    ClientRequestToken?: string | undefined;
    SecretString?: string | undefined;
    VersionStages?: string[] | undefined;
  }) {
    const secret = this.find(input.SecretId);
    const token = input.ClientRequestToken ?? randomUUID();
    checkToken(token, 'ClientRequestToken');
    if (input.SecretString === undefined) {
      throw new StageModelError(
        'InvalidParameterException',
        'You must provide either SecretString or SecretBinary.',
      );
    }
    const stages = [...new Set(input.VersionStages ?? [AWSCURRENT])];
    let version = versionById(secret, token);
    if (version?.value !== undefined) {
      if (version.value !== input.SecretString) throw tokenInUse(token, secret);
      return {
        ARN: secret.arn,
        Name: secret.name,
        VersionId: version.id,
        VersionStages: [...version.stages],
      };
    }
    if (version) version.value = input.SecretString;
    else {
      version = this.#version(token, input.SecretString, []);
      secret.versions.push(version);
    }
    for (const stage of stages) attach(secret, stage, version);
    return { ARN: secret.arn, Name: secret.name, VersionId: version.id, VersionStages: [...version.stages] };
  }

  /**
   * UpdateSecretVersionStage: a label held by another version moves only when RemoveFromVersionId names that
   * version; AWSCURRENT cannot be removed without a MoveToVersionId; AWSPREVIOUS follows a moved AWSCURRENT.
   */
  updateSecretVersionStage(input: {
    SecretId?: string | undefined;
    VersionStage?: string | undefined;
    MoveToVersionId?: string | undefined;
    RemoveFromVersionId?: string | undefined;
  }) {
    const secret = this.find(input.SecretId);
    const stage = input.VersionStage;
    if (!stage) throw new StageModelError('ValidationException', 'VersionStage is required.');
    const { MoveToVersionId: moveToId, RemoveFromVersionId: removeFromId } = input;
    if (moveToId === undefined && removeFromId === undefined) {
      throw new StageModelError(
        'InvalidParameterException',
        'You must specify MoveToVersionId or RemoveFromVersionId.',
      );
    }
    const removeFrom = removeFromId === undefined ? undefined : versionById(secret, removeFromId);
    if (removeFromId !== undefined) {
      if (!removeFrom)
        throw new StageModelError('InvalidParameterException', `Not a valid version: ${removeFromId}`);
      if (!removeFrom.stages.includes(stage)) {
        throw new StageModelError(
          'InvalidParameterException',
          `The staging label ${stage} is not attached to version ${removeFromId}.`,
        );
      }
    }
    if (moveToId === undefined) {
      if (stage === AWSCURRENT) {
        throw new StageModelError(
          'InvalidParameterException',
          `You can't remove the staging label ${AWSCURRENT} without moving it to another version with MoveToVersionId.`,
        );
      }
      removeFrom!.stages = removeFrom!.stages.filter((label) => label !== stage);
    } else {
      const target = versionById(secret, moveToId);
      if (!target) throw new StageModelError('InvalidParameterException', `Not a valid version: ${moveToId}`);
      const holder = versionWithStage(secret, stage);
      if (holder && holder !== target && holder !== removeFrom) {
        throw new StageModelError(
          'InvalidParameterException',
          `The parameter RemoveFromVersionId can't be empty. Staging label ${stage} is currently attached to version ${holder.id}, so you must explicitly reference that version in RemoveFromVersionId.`,
        );
      }
      attach(secret, stage, target);
    }
    return { ARN: secret.arn, Name: secret.name };
  }

  /** ListSecretVersionIds: labelled versions, deprecated ones too with IncludeDeprecated; paginated. */
  listSecretVersionIds(input: {
    SecretId?: string | undefined;
    IncludeDeprecated?: boolean | undefined;
    MaxResults?: number | undefined;
    NextToken?: string | undefined;
  }) {
    const secret = this.find(input.SecretId);
    const versions = secret.versions
      .filter((version) => input.IncludeDeprecated || version.stages.length > 0)
      .map((version) => ({
        VersionId: version.id,
        ...(version.stages.length > 0 ? { VersionStages: [...version.stages] } : {}),
        CreatedDate: version.createdDate,
      }));
    const size = input.MaxResults ?? MAX_PAGE;
    const offset = input.NextToken === undefined ? 0 : Number(input.NextToken);
    if (!Number.isInteger(offset) || offset < 0) {
      throw new StageModelError('InvalidNextTokenException', 'The NextToken value is invalid.');
    }
    const next = offset + size < versions.length ? String(offset + size) : undefined;
    return {
      ARN: secret.arn,
      Name: secret.name,
      Versions: versions.slice(offset, offset + size),
      ...(next === undefined ? {} : { NextToken: next }),
    };
  }

  // Test helpers: what a test arranges or inspects without going through the API.

  /** The secret's ARN, looked up by name or ARN. */
  arnOf(secretId: string): string {
    return this.find(secretId).arn;
  }

  /** The id of the version that holds `stage`, or undefined. */
  versionIdAt(secretId: string, stage: string): string | undefined {
    return versionWithStage(this.find(secretId), stage)?.id;
  }

  /** The parsed JSON value at a stage, or undefined (no such label, or an empty placeholder). */
  valueAt(secretId: string, stage: string): Record<string, unknown> | undefined {
    const value = versionWithStage(this.find(secretId), stage)?.value;
    return value === undefined ? undefined : (JSON.parse(value) as Record<string, unknown>);
  }

  /** Version id -> sorted labels, for versions that have labels (DescribeSecret's VersionIdsToStages). */
  stagesOf(secretId: string): Record<string, string[]> {
    const stages = versionIdsToStages(this.find(secretId));
    for (const labels of Object.values(stages)) labels.sort();
    return stages;
  }

  /** Overwrites the value at a stage, for tests that plant a malformed or stale value (AWS never would). */
  setRawValue(secretId: string, stage: string, secretString: string): void {
    const version = versionWithStage(this.find(secretId), stage);
    if (!version) throw new Error(`Secret ${secretId} has no version at ${stage}`);
    version.value = secretString;
  }

  setNextRotationDate(secretId: string, date: Date | undefined): void {
    this.find(secretId).nextRotationDate = date;
  }

  /** The secret by name or ARN; ResourceNotFoundException otherwise. */
  find(secretId: string | undefined): StoredSecret {
    const secret = this.#secrets.find((s) => s.arn === secretId || s.name === secretId);
    if (!secret) {
      throw new StageModelError(
        'ResourceNotFoundException',
        "Secrets Manager can't find the specified secret.",
      );
    }
    return secret;
  }

  #version(id: string, value: string | undefined, stages: string[]): Version {
    this.#clock += 1000;
    return { id, value, stages, createdDate: new Date(this.#clock) };
  }
}

function encode(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function versionById(secret: StoredSecret, id: string): Version | undefined {
  return secret.versions.find((version) => version.id === id);
}

function versionWithStage(secret: StoredSecret, stage: string): Version | undefined {
  return secret.versions.find((version) => version.stages.includes(stage));
}

function versionIdsToStages(secret: StoredSecret): Record<string, string[]> {
  return Object.fromEntries(
    secret.versions.filter((v) => v.stages.length > 0).map((v) => [v.id, [...v.stages]]),
  );
}

function checkToken(token: string, member: string): void {
  if (token.length < TOKEN_LENGTH.min || token.length > TOKEN_LENGTH.max) {
    throw new StageModelError(
      'ValidationException',
      `${member} must be between ${TOKEN_LENGTH.min} and ${TOKEN_LENGTH.max} characters long.`,
    );
  }
}

function tokenInUse(token: string, secret: StoredSecret): StageModelError {
  return new StageModelError(
    'ResourceExistsException',
    `You can't use ClientRequestToken ${token} because that value is already in use for a version of secret ${secret.arn}.`,
  );
}

/**
 * Each label lives on one version: attaching it detaches it from its holder. Moving AWSCURRENT moves
 * AWSPREVIOUS to the version AWSCURRENT left (and so off the target, the rollback case).
 */
function attach(secret: StoredSecret, stage: string, target: Version): void {
  const holder = versionWithStage(secret, stage);
  if (holder === target) return;
  if (holder) holder.stages = holder.stages.filter((label) => label !== stage);
  target.stages.push(stage);
  if (stage === AWSCURRENT && holder) {
    const previous = versionWithStage(secret, AWSPREVIOUS);
    if (previous) previous.stages = previous.stages.filter((label) => label !== AWSPREVIOUS);
    holder.stages.push(AWSPREVIOUS);
  }
}
