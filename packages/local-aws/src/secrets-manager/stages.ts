import {
  AWSCURRENT,
  AWSPREVIOUS,
  type SecretRecord,
  type SecretVersionRecord,
  versionWithStage,
} from './model.js';

/** AWS keeps at most this many deprecated (label-less) versions... */
const MAX_DEPRECATED_VERSIONS = 100;
/** ...and never removes one younger than a day. */
const DEPRECATED_MIN_AGE_MS = 24 * 60 * 60 * 1000;

function removeStage(version: SecretVersionRecord, stage: string): void {
  version.stages = version.stages.filter((label) => label !== stage);
}

/**
 * Attaches `stage` to `target`, detaching it from the version that had it: each label lives on one
 * version. Moving AWSCURRENT moves AWSPREVIOUS to the version AWSCURRENT left (and so off the target,
 * the rollback case), as PutSecretValue and UpdateSecretVersionStage document.
 */
export function attachStage(secret: SecretRecord, stage: string, target: SecretVersionRecord): void {
  const holder = versionWithStage(secret, stage);
  if (holder === target) return;
  if (holder) removeStage(holder, stage);
  target.stages.push(stage);
  if (stage === AWSCURRENT && holder) {
    const previous = versionWithStage(secret, AWSPREVIOUS);
    if (previous) removeStage(previous, AWSPREVIOUS);
    holder.stages.push(AWSPREVIOUS);
  }
}

/** Removes `stage` from `version`; the version is deprecated if that was its last label. */
export function detachStage(version: SecretVersionRecord, stage: string): void {
  removeStage(version, stage);
}

/** Deletes the oldest deprecated versions beyond AWS's limit of 100, sparing those younger than 24 hours. */
export function pruneDeprecatedVersions(secret: SecretRecord, now: number): void {
  const deprecated = secret.versions.filter((version) => version.stages.length === 0);
  let excess = deprecated.length - MAX_DEPRECATED_VERSIONS;
  if (excess <= 0) return;
  const doomed = new Set<SecretVersionRecord>();
  for (const version of deprecated) {
    if (excess <= 0) break;
    if (now - version.createdDate < DEPRECATED_MIN_AGE_MS) continue;
    doomed.add(version);
    excess--;
  }
  secret.versions = secret.versions.filter((version) => !doomed.has(version));
}

/** `VersionIdsToStages`: labelled versions only; deprecated ones are hidden, as in DescribeSecret. */
export function versionIdsToStages(secret: SecretRecord): Record<string, string[]> {
  const map: Record<string, string[]> = {};
  for (const version of secret.versions) {
    if (version.stages.length > 0) map[version.versionId] = [...version.stages];
  }
  return map;
}
