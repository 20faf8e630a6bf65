/** What the emulated Redshift Data API keeps about a statement (and a batch's sub-statements). */
import type { SqlParameter } from './sql-parameters.js';
import type { PostgresTarget, StatementResult } from './statement-runner.js';

export type Status = 'SUBMITTED' | 'PICKED' | 'STARTED' | 'FINISHED' | 'ABORTED' | 'FAILED';
export const STATUS_FILTERS: readonly string[] = [
  'SUBMITTED',
  'PICKED',
  'STARTED',
  'FINISHED',
  'ABORTED',
  'FAILED',
  'ALL',
];

export interface SubStatement {
  readonly id: string;
  readonly queryString: string;
  status: Status;
  error?: string | undefined;
  result?: StatementResult | undefined;
  createdAt: Date;
  updatedAt: Date;
  queryId: number;
}

export interface Statement {
  readonly id: string;
  readonly createdAt: Date;
  updatedAt: Date;
  status: Status;
  error?: string | undefined;
  readonly clusterIdentifier?: string | undefined;
  readonly workgroupName?: string | undefined;
  readonly database: string;
  readonly dbUser?: string | undefined;
  readonly secretArn?: string | undefined;
  readonly statementName?: string | undefined;
  readonly parameters?: SqlParameter[] | undefined;
  readonly isBatch: boolean;
  readonly subStatements: SubStatement[];
  readonly target: PostgresTarget;
  pid: number;
  cancelRequested: boolean;
  durationNs: number;
  readonly clientToken?: string | undefined;
}

export const isActive = (status: Status) =>
  status === 'SUBMITTED' || status === 'PICKED' || status === 'STARTED';
