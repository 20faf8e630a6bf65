import type { LocalAwsLogger } from '../../logger.js';
import type { AclBackend } from '../redis-acl.js';
import type { ArnScope } from '../render.js';
import type { ElastiCacheRepository } from '../repository.js';
import type { Transitions } from '../transitions.js';

/** What every ElastiCache operation works with. */
export interface ElastiCacheContext {
  readonly repository: ElastiCacheRepository;
  readonly transitions: Transitions;
  /** Access strings are checked by a real Redis; any cache's will do. */
  readonly rulesChecker: AclBackend;
  /** 0: changes apply before the answer (which then shows the settled state). */
  readonly delayMs: number;
  readonly logger: LocalAwsLogger;
}

export type ElastiCacheOperation = (
  context: ElastiCacheContext,
  params: URLSearchParams,
  scope: ArnScope,
) => Promise<string>;
