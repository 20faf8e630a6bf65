/**
 * Running a submitted statement in the background: SUBMITTED -> PICKED -> STARTED -> FINISHED | FAILED |
 * ABORTED, logging in as the statement's identity (never as the admin).
 */
import type { LocalAwsLogger } from '../logger.js';
import type { ServiceContext } from '../service.js';
import type { Statement, Status } from './model.js';
import { isActive } from './model.js';
import { bindParameters } from './sql-parameters.js';
import { runStatements, StatementFailedError, type StatementIdentity } from './statement-runner.js';

const NOT_A_LOGIN = 'The secret value is not a JSON object with username and password.';

/** Secrets Manager authentication: the AWSCURRENT value of the secret, read at run time like AWS does. */
async function identityFor(statement: Statement, context: ServiceContext): Promise<StatementIdentity> {
  if (statement.secretArn === undefined) {
    // Submission refuses a statement with neither; nothing ever runs as the admin itself.
    if (statement.dbUser === undefined)
      throw new StatementFailedError('No SecretArn or DbUser.', undefined, []);
    return { kind: 'db-user', dbUser: statement.dbUser };
  }
  const secretString = await context.readSecretString(statement.secretArn).catch(() => undefined);
  if (secretString === undefined) {
    throw new StatementFailedError(
      `Secrets Manager secret ${statement.secretArn} could not be read.`,
      undefined,
      [],
    );
  }
  let secret: Record<string, unknown>;
  try {
    secret = JSON.parse(secretString) as Record<string, unknown>;
  } catch {
    throw new StatementFailedError(NOT_A_LOGIN, undefined, []);
  }
  const { username, password, dbClusterIdentifier } = secret ?? {};
  if (typeof username !== 'string' || typeof password !== 'string') {
    throw new StatementFailedError(NOT_A_LOGIN, undefined, []);
  }
  // "If you provide a cluster identifier (dbClusterIdentifier), it must match the cluster identifier
  // stored in the secret" (ExecuteStatement API reference).
  if (
    statement.clusterIdentifier !== undefined &&
    typeof dbClusterIdentifier === 'string' &&
    dbClusterIdentifier !== statement.clusterIdentifier
  ) {
    throw new StatementFailedError(
      `The secret's dbClusterIdentifier does not match the cluster identifier ${statement.clusterIdentifier}.`,
      undefined,
      [],
    );
  }
  return { kind: 'password', user: username, password };
}

/** Moves the statement, and its sub-statements still active, to `status`. */
function touch(statement: Statement, status: Status) {
  statement.status = status;
  statement.updatedAt = new Date();
  for (const sub of statement.subStatements) {
    if (isActive(sub.status)) {
      sub.status = status;
      sub.updatedAt = statement.updatedAt;
    }
  }
}

export async function executeStatement(
  statement: Statement,
  context: ServiceContext,
  options: { connectTimeoutMs: number; logger: LocalAwsLogger },
): Promise<void> {
  await new Promise((resolve) => setImmediate(resolve));
  if (statement.cancelRequested) return touch(statement, 'ABORTED');
  touch(statement, 'PICKED');
  try {
    const identity = await identityFor(statement, context);
    if (statement.cancelRequested) return touch(statement, 'ABORTED');
    const bound = statement.subStatements.map((sub) => bindParameters(sub.queryString, statement.parameters));
    const results = await runStatements({
      target: statement.target,
      database: statement.database,
      identity,
      statements: bound,
      transaction: statement.isBatch,
      connectTimeoutMs: options.connectTimeoutMs,
      onStarted: (pid) => {
        statement.pid = pid;
        touch(statement, 'STARTED');
      },
    });
    const finishedAt = new Date();
    results.forEach((result, index) => {
      const sub = statement.subStatements[index];
      if (!sub) return;
      sub.result = result;
      sub.status = 'FINISHED';
      sub.updatedAt = finishedAt;
    });
    statement.durationNs = results.reduce((total, result) => total + result.durationNs, 0);
    touch(statement, 'FINISHED');
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const failedIndex = error instanceof StatementFailedError ? error.index : undefined;
    const cancelled = statement.cancelRequested && /cancel/i.test(message);
    const now = new Date();
    statement.subStatements.forEach((sub, index) => {
      sub.updatedAt = now;
      if (failedIndex === undefined || index === failedIndex) {
        sub.status = cancelled ? 'ABORTED' : 'FAILED';
        sub.error = message;
      } else if (index < failedIndex) {
        // Ran, then rolled back with the batch's transaction.
        sub.status = 'FINISHED';
      } else {
        sub.status = 'ABORTED';
      }
    });
    statement.error = message;
    touch(statement, cancelled ? 'ABORTED' : 'FAILED');
    options.logger.info('redshift-data: statement did not finish', {
      id: statement.id,
      status: statement.status,
    });
  }
}
