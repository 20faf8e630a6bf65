import { AwsApiError } from '../service.js';
import { readStateSection, writeStateSections } from '../state-file.js';
import { findSecret } from './arn.js';
import { secretNotFound } from './errors.js';
import type { SecretRecord } from './model.js';

const MARKED_FOR_DELETION =
  "You can't perform this operation on the secret because it was marked for deletion.";

/** The secrets the endpoint holds, keyed by ARN, and their place in the state file. */
export interface SecretRepository {
  all(): IterableIterator<SecretRecord>;
  add(secret: SecretRecord): void;
  remove(arn: string): void;
  get(arn: string): SecretRecord | undefined;
  /** By name, full ARN or partial ARN, as AWS resolves a SecretId; undefined when there is none. */
  find(secretId: string): SecretRecord | undefined;
  /** Like find, but ResourceNotFoundException when there is none. */
  lookup(secretId: string): SecretRecord;
  /** Like lookup, but InvalidRequestException for a secret scheduled for deletion. */
  lookupLive(secretId: string): SecretRecord;
  /** Drops secrets past their recovery window (AWS deletes them then); saves when one went. */
  purgeExpired(now: number): void;
  /** Writes the secrets (and the sections `extraSections` adds) to the state file in one atomic replace. */
  persist(): void;
}

export function markedForDeletion(): AwsApiError {
  return new AwsApiError('InvalidRequestException', MARKED_FOR_DELETION);
}

export function createSecretRepository(options: {
  stateFile?: string | undefined;
  /** Sections saved together with the secrets (the rotation records), so a reader sees both or neither. */
  extraSections?: () => Record<string, unknown>;
}): SecretRepository {
  const secrets = new Map<string, SecretRecord>();
  if (options.stateFile) {
    for (const secret of readStateSection<SecretRecord[]>(options.stateFile, 'secrets') ?? []) {
      secrets.set(secret.arn, secret);
    }
  }
  const persist = () => {
    if (!options.stateFile) return;
    writeStateSections(options.stateFile, {
      secrets: [...secrets.values()],
      ...(options.extraSections?.() ?? {}),
    });
  };
  const find = (secretId: string) => findSecret(secrets.values(), secretId);
  const lookup = (secretId: string) => {
    const secret = find(secretId);
    if (!secret) throw secretNotFound();
    return secret;
  };
  return {
    all: () => secrets.values(),
    add: (secret) => void secrets.set(secret.arn, secret),
    remove: (arn) => void secrets.delete(arn),
    get: (arn) => secrets.get(arn),
    find,
    lookup,
    lookupLive(secretId) {
      const secret = lookup(secretId);
      if (secret.deletedDate !== undefined) throw markedForDeletion();
      return secret;
    },
    purgeExpired(now) {
      let purged = false;
      for (const [arn, secret] of secrets) {
        if (secret.deletionDate !== undefined && secret.deletionDate <= now) {
          secrets.delete(arn);
          purged = true;
        }
      }
      if (purged) persist();
    },
    persist,
  };
}
