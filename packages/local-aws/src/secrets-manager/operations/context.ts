import type { FunctionHost } from '../../lambda/function-host.js';
import type { LocalAwsLogger } from '../../logger.js';
import type { Input } from '../input.js';
import type { SecretRepository } from '../repository.js';
import type { RotationRunner } from '../rotation.js';

/** What every Secrets Manager operation works with. */
export interface SecretsContext {
  readonly region: string;
  readonly accountId: string;
  readonly repository: SecretRepository;
  /** Absent without a function host: RotateSecret then finds no function to invoke. */
  readonly runner: RotationRunner | undefined;
  readonly functions: FunctionHost | undefined;
  readonly logger: LocalAwsLogger;
}

export type SecretsOperation = (
  context: SecretsContext,
  input: Input,
  now: number,
) => Record<string, unknown>;

export const TOKEN_RULES = { min: 32, max: 64 };
export const SECRET_ID_RULES = { min: 1, max: 2048 };
