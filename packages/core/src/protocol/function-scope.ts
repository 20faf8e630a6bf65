/**
 * Where the rotation function runs: the partition, region and account that every ARN a secret names must
 * share. A secret is data anyone with PutSecretValue can write; the function's own ARN is not.
 */
import { InvalidConfigurationError, InvalidSecretError } from '../errors.js';
import type { RotationStep } from '../vocabulary.js';

export interface FunctionScope {
  partition: string;
  region: string;
  accountId: string;
}

export interface ParsedArn extends FunctionScope {
  service: string;
  /** Everything after the account: `user:user1`, `secret:prod/app-AbCdEf`, ... */
  resource: string;
}

const ARN = /^arn:(aws[a-z-]*):([a-z0-9-]+):([a-z0-9-]*):(\d{12}|):(.+)$/;

/** Splits an ARN into its parts, or returns undefined when the text is not an ARN. */
export function parseArn(text: string): ParsedArn | undefined {
  const match = ARN.exec(text);
  if (!match) return undefined;
  const [, partition, service, region, accountId, resource] = match as unknown as [
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  return { partition, service, region, accountId, resource };
}

/** The scope named by an ARN that has a region and an account (a Lambda function's, a secret's). */
export function scopeOfArn(arn: string | undefined): FunctionScope | undefined {
  const parsed = arn === undefined ? undefined : parseArn(arn);
  if (!parsed || parsed.region === '' || parsed.accountId === '') return undefined;
  return { partition: parsed.partition, region: parsed.region, accountId: parsed.accountId };
}

export interface ArnCheck {
  /** What the ARN is, for the error message: `"user_arn"`, `"masterarn"`. */
  label: string;
  step?: RotationStep | undefined;
  /** The AWS service the ARN must belong to (`elasticache`, `secretsmanager`, ...). */
  service?: string;
  /** Global resources (IAM) carry no region; set false to skip the region comparison. */
  regional?: boolean;
}

/**
 * Parses `arn` and checks it lies in the function's partition, account and region. A secret naming a
 * resource elsewhere is refused before anything is written: the function would otherwise act, under its
 * own role, on whatever the secret's writer pointed it at.
 */
export function assertArnInScope(arn: unknown, scope: FunctionScope | undefined, check: ArnCheck): ParsedArn {
  const parsed = typeof arn === 'string' ? parseArn(arn) : undefined;
  if (!parsed) {
    throw new InvalidSecretError(`${check.label} is not an ARN`, { step: check.step });
  }
  if (check.service !== undefined && parsed.service !== check.service) {
    throw new InvalidSecretError(`${check.label} names a ${parsed.service} resource, not ${check.service}`, {
      step: check.step,
    });
  }
  if (!scope) {
    throw new InvalidConfigurationError(
      `Cannot check ${check.label}: the function's own account and region are unknown (no invokedFunctionArn in the Lambda context)`,
      { step: check.step },
    );
  }
  const mismatches: string[] = [];
  if (parsed.partition !== scope.partition)
    mismatches.push(`partition ${parsed.partition} (function: ${scope.partition})`);
  if (parsed.accountId !== scope.accountId)
    mismatches.push(`account ${parsed.accountId || '(none)'} (function: ${scope.accountId})`);
  if (check.regional !== false && parsed.region !== scope.region)
    mismatches.push(`region ${parsed.region || '(none)'} (function: ${scope.region})`);
  if (mismatches.length > 0) {
    throw new InvalidSecretError(
      `${check.label} is outside this function's scope: ${mismatches.join(', ')}; a rotation function only acts in its own account and region`,
      { step: check.step },
    );
  }
  return parsed;
}
