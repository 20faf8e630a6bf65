/**
 * The Redshift Data API: statements go over HTTPS to the Redshift Data service, which connects to the
 * cluster or Serverless workgroup itself, so the function needs no VPC networking for them. It
 * authenticates with the AWSCURRENT value of a secret (by ARN) or with temporary IAM credentials for a
 * database user; it can never present an arbitrary password, so it cannot prove one (see docs/decisions).
 *
 * Each statement is submitted, then polled with backoff until it finishes; the wait stops at the Lambda
 * deadline with a retryable StepTimeoutError.
 */
import { createHash } from 'node:crypto';
import {
  BatchExecuteStatementCommand,
  DescribeStatementCommand,
  type DescribeStatementCommandOutput,
  ExecuteStatementCommand,
  type Field,
  GetStatementResultCommand,
  ListStatementsCommand,
  type RedshiftDataClient,
} from '@aws-sdk/client-redshift-data';
import {
  CredentialRejectedError,
  classifyAwsError,
  EngineError,
  EngineUnavailableError,
  InvalidConfigurationError,
  PermissionDeniedError,
  pollUntil,
  type RotationError,
  type StepContext,
  UserNotFoundError,
} from '@rotor/core/engine';
import { safeServerMessage } from './error-mapping.js';
import { chunk } from './sql.js';
import type { Row, SqlSession, StatementObserver } from './transport.js';

/** Where statements run: a provisioned cluster or a Serverless workgroup. */
export type DataApiTarget = { clusterIdentifier: string } | { workgroupName: string };

/** Who they run as. */
export type DataApiIdentity =
  /** The AWSCURRENT value of this secret (username and password). */
  | { secretArn: string }
  /** Temporary credentials for this database user (redshift:GetClusterCredentials / redshift-serverless:GetCredentials). */
  | { dbUser: string };

export interface DataApiSessionSettings {
  client: RedshiftDataClient;
  target: DataApiTarget;
  identity: DataApiIdentity;
  database: string;
  /** Longest wait for one statement before a retryable StepTimeoutError. */
  statementTimeoutMs: number;
  /** First delay between DescribeStatement calls. */
  pollIntervalMs: number;
}

type PollContext = Pick<StepContext, 'signal' | 'step' | 'logger'>;

/** BatchExecuteStatement's limit on `Sqls`. */
export const MAX_BATCH_STATEMENTS = 40;

export function describeIdentity(identity: DataApiIdentity): string {
  return 'secretArn' in identity ? `the secret ${identity.secretArn}` : `database user "${identity.dbUser}"`;
}

function describeTarget(target: DataApiTarget): string {
  return 'clusterIdentifier' in target
    ? `cluster ${target.clusterIdentifier}`
    : `workgroup ${target.workgroupName}`;
}

/** `$1` -> `:p1`: the Data API binds named parameters. */
export function toNamedParameters(sql: string, parameters: readonly string[]) {
  return {
    sql: sql.replace(/\$(\d+)/g, ':p$1'),
    parameters: parameters.map((value, index) => ({ name: `p${index + 1}`, value })),
  };
}

export function openDataApiSession(
  settings: DataApiSessionSettings,
  context: PollContext,
  observe?: StatementObserver,
): SqlSession {
  const where = {
    ...('clusterIdentifier' in settings.target
      ? { ClusterIdentifier: settings.target.clusterIdentifier }
      : { WorkgroupName: settings.target.workgroupName }),
    ...('secretArn' in settings.identity
      ? { SecretArn: settings.identity.secretArn }
      : { DbUser: settings.identity.dbUser }),
    Database: settings.database,
  };
  const action = `run a statement through the Redshift Data API on ${describeTarget(settings.target)} as ${describeIdentity(settings.identity)}`;

  const waitFor = async (id: string): Promise<DescribeStatementCommandOutput> => {
    const finished = await pollUntil(
      async () => {
        const output = await send(
          () => settings.client.send(new DescribeStatementCommand({ Id: id })),
          action,
          context,
        );
        return output.Status === 'FINISHED' || output.Status === 'FAILED' || output.Status === 'ABORTED'
          ? output
          : undefined;
      },
      context,
      {
        description: `Data API statement ${id}`,
        initialDelayMs: settings.pollIntervalMs,
        maxDelayMs: 2_000,
        timeoutMs: settings.statementTimeoutMs,
      },
    );
    if (finished.Status !== 'FINISHED') {
      throw mapStatementFailure(
        finished.Error ?? `statement ${finished.Status?.toLowerCase()}`,
        action,
        context,
      );
    }
    return finished;
  };

  const readRows = async (id: string): Promise<Row[]> => {
    const rows: Row[] = [];
    let nextToken: string | undefined;
    do {
      const page = await send(
        () =>
          settings.client.send(
            new GetStatementResultCommand({ Id: id, ...(nextToken ? { NextToken: nextToken } : {}) }),
          ),
        action,
        context,
      );
      const names = (page.ColumnMetadata ?? []).map((column, index) => column.name ?? `column${index}`);
      for (const record of page.Records ?? []) {
        rows.push(Object.fromEntries(record.map((field, index) => [names[index], fieldValue(field)])));
      }
      nextToken = page.NextToken;
    } while (nextToken);
    return rows;
  };

  return {
    async query(sql, parameters = []) {
      const named = toNamedParameters(sql, parameters);
      observe?.(named.sql);
      const submitted = await send(
        () =>
          settings.client.send(
            new ExecuteStatementCommand({
              ...where,
              Sql: named.sql,
              ...(named.parameters.length > 0 ? { Parameters: named.parameters } : {}),
            }),
          ),
        action,
        context,
      );
      const finished = await waitFor(submitted.Id!);
      return finished.HasResultSet ? readRows(submitted.Id!) : [];
    },
    async transaction(statements, options = {}) {
      if (statements.length === 0) return;
      for (const statement of statements) observe?.(statement);
      // BatchExecuteStatement runs its statements as one transaction, but takes at most 40 of them.
      const batches = chunk(statements, MAX_BATCH_STATEMENTS);
      if (batches.length > 1) {
        context.logger.warn(
          `${statements.length} statements need ${batches.length} Data API batches, which commit separately; if a later one fails, re-run with copyPrivileges "every-rotation" to complete the clone`,
        );
      }
      for (const [index, batch] of batches.entries()) {
        const naming = options.idempotencyKey
          ? { StatementName: statementName(`${options.idempotencyKey}#${index}`) }
          : {};
        const submitted = await send(
          () =>
            settings.client.send(new BatchExecuteStatementCommand({ ...where, ...naming, Sqls: [...batch] })),
          action,
          context,
        );
        await waitFor(submitted.Id!);
      }
    },
    async committedEarlier(statements, idempotencyKey) {
      // Only single-batch changes can be recognised as a whole.
      if (statements.length === 0 || statements.length > MAX_BATCH_STATEMENTS) return false;
      const name = statementName(`${idempotencyKey}#0`);
      let nextToken: string | undefined;
      let pages = 0;
      do {
        const page = await send(
          () =>
            settings.client.send(
              new ListStatementsCommand({
                StatementName: name,
                Status: 'FINISHED',
                MaxResults: 100,
                ...(nextToken ? { NextToken: nextToken } : {}),
              }),
            ),
          action,
          context,
        );
        for (const statement of page?.Statements ?? []) {
          const texts = statement.QueryStrings ?? (statement.QueryString ? [statement.QueryString] : []);
          if (
            statement.StatementName === name &&
            texts.length === statements.length &&
            texts.every((text, index) => text === statements[index])
          ) {
            return true;
          }
        }
        nextToken = page?.NextToken;
        pages += 1;
      } while (nextToken && pages < 5);
      return false;
    },
    async close() {},
  };
}

/**
 * The StatementName of a change: the same for every attempt of it, so a later attempt can find an earlier one
 * that committed in the Data API's statement history (and operators can find Rotor's statements). No
 * ClientToken: with one, a retry after a failed statement would get the failed statement back for good.
 */
export function statementName(key: string): string {
  return `rotor-${createHash('sha256').update(key, 'utf8').digest('hex').slice(0, 40)}`;
}

function fieldValue(field: Field): unknown {
  if (field.isNull) return null;
  if (field.stringValue !== undefined) return field.stringValue;
  if (field.longValue !== undefined) return field.longValue;
  if (field.booleanValue !== undefined) return field.booleanValue;
  if (field.doubleValue !== undefined) return field.doubleValue;
  return null;
}

async function send<T>(call: () => Promise<T>, action: string, context: PollContext): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw mapDataApiError(error, action, context);
  }
}

/** Maps an SDK error of the Data API (throttling, IAM, unknown cluster, ...). */
export function mapDataApiError(
  error: unknown,
  action: string,
  context: Pick<StepContext, 'step'>,
): RotationError {
  const { name, kind, retryable, message: serviceMessage } = classifyAwsError(error);
  const message = safeServerMessage(serviceMessage);
  const options = { step: context.step, cause: error };
  const text = `Could not ${action}: ${name}: ${message}`;
  if (kind === 'access-denied' || kind === 'credentials') return new PermissionDeniedError(text, options);
  // The Data API's only not-found is the cluster, workgroup or secret the configuration names.
  if (kind === 'not-found') return new InvalidConfigurationError(text, options);
  if (name === 'ValidationException') {
    if (/authenticat|password/i.test(message)) return new CredentialRejectedError(text, options);
    return new InvalidConfigurationError(text, options);
  }
  if (
    retryable ||
    DATA_API_BUSY.has(name) ||
    /ECONNREFUSED|ENOTFOUND|ETIMEDOUT|socket hang up/i.test(message)
  ) {
    return new EngineUnavailableError(text, options);
  }
  return new EngineError(text, options);
}

/** The Data API is busy or cannot reach the database now: the same call can succeed later. */
const DATA_API_BUSY = new Set([
  'DatabaseConnectionException',
  'ActiveStatementsExceededException',
  'ActiveSessionsExceededException',
  'ActiveWaitingRequestsExceededException',
]);

/** Maps the `Error` text of a FAILED statement (the server's message). */
export function mapStatementFailure(
  errorText: string,
  action: string,
  context: Pick<StepContext, 'step'>,
): RotationError {
  const message = safeServerMessage(errorText);
  const options = { step: context.step };
  const text = `Could not ${action}: ${message}`;
  if (/password authentication failed|authentication failed|invalid password/i.test(message)) {
    return new CredentialRejectedError(text, options);
  }
  if (/(user|role) ("[^"]*"|\S+) does not exist/i.test(message)) return new UserNotFoundError(text, options);
  if (/permission denied|must be superuser|not authorized|insufficient privilege/i.test(message)) {
    return new PermissionDeniedError(text, options);
  }
  if (/could not connect|connection (refused|reset|timed out)|cluster is not available/i.test(message)) {
    return new EngineUnavailableError(text, options);
  }
  return new EngineError(text, options);
}
