import { randomInt } from 'node:crypto';
import type { SecretRecord } from './model.js';

const SUFFIX_ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/** `arn:aws:secretsmanager:<region>:<account>:secret:<name>-<6 random characters>`, as AWS builds it. */
export function newSecretArn(region: string, accountId: string, name: string): string {
  let suffix = '';
  for (let i = 0; i < 6; i++) suffix += SUFFIX_ALPHABET[randomInt(SUFFIX_ALPHABET.length)];
  return `arn:aws:secretsmanager:${region}:${accountId}:secret:${name}-${suffix}`;
}

/** The ARN without its random suffix: what a "partial ARN" SecretId looks like. */
export function partialArn(arn: string): string {
  return arn.slice(0, -7);
}

/**
 * Resolves a SecretId the way AWS does: a full ARN, a partial ARN (the ARN without the `-xxxxxx` suffix)
 * or a name. A string starting with `arn:` is never taken as a name.
 */
export function findSecret(secrets: Iterable<SecretRecord>, secretId: string): SecretRecord | undefined {
  const all = [...secrets];
  if (secretId.startsWith('arn:')) {
    return (
      all.find((secret) => secret.arn === secretId) ??
      all.find((secret) => partialArn(secret.arn) === secretId)
    );
  }
  return all.find((secret) => secret.name === secretId);
}
