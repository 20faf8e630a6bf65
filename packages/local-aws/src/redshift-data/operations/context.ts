import type { LocalAwsLogger } from '../../logger.js';
import type { ServiceContext } from '../../service.js';
import type { StatementRepository } from '../repository.js';
import type { TargetResolver } from '../targets.js';

/** What every Redshift Data operation works with. */
export interface RedshiftDataContext {
  readonly repository: StatementRepository;
  readonly targetFor: TargetResolver;
  readonly maxActiveStatements: number;
  readonly resultPageSize: number;
  readonly connectTimeoutMs: number;
  /** Statement runs still going, so settled() and close() can wait for them. */
  readonly running: Set<Promise<void>>;
  readonly logger: LocalAwsLogger;
}

export type RedshiftDataOperation = (
  context: RedshiftDataContext,
  input: Record<string, unknown>,
  service: ServiceContext,
) => Record<string, unknown> | Promise<Record<string, unknown>>;
