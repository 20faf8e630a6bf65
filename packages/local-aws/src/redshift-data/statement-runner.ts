/**
 * Runs Data API statements on the PostgreSQL that plays the cluster: one fresh connection per statement
 * (the Data API keeps no session), logged in as the secret's user, or as the admin switched to DbUser.
 * Every failure is reported with the server's own message, as DescribeStatement's `Error` carries it.
 */
import pg from 'pg';
import { BUILT_IN_TYPE_NAMES, type ResultField } from './records.js';
import type { BoundStatement } from './sql-parameters.js';

export interface PostgresTarget {
  readonly host: string;
  readonly port: number;
  /** A superuser: runs DbUser statements (SET SESSION AUTHORIZATION) and cancels statements. */
  readonly adminUser: string;
  readonly adminPassword: string;
}

export type StatementIdentity =
  /** Secrets Manager authentication: a real login with the secret's username and password. */
  | { readonly kind: 'password'; readonly user: string; readonly password: string }
  /** Temporary credentials: the admin connects and becomes DbUser (never stays admin). */
  | { readonly kind: 'db-user'; readonly dbUser: string };

export interface StatementResult {
  readonly fields: readonly ResultField[];
  readonly typeNames: readonly string[];
  readonly rows: ReadonlyArray<ReadonlyArray<string | null>>;
  readonly rowCount: number | null;
  readonly durationNs: number;
}

/** A statement failed; `index` is the failing statement of a batch (undefined: failed before any ran). */
export class StatementFailedError extends Error {
  override readonly name = 'StatementFailedError';
  constructor(
    message: string,
    readonly index: number | undefined,
    readonly results: readonly StatementResult[],
  ) {
    super(message);
  }
}

/** The Data API reports server errors as `ERROR: ...` / `FATAL: ...`; other failures keep their message. */
export function serverMessage(error: unknown): string {
  if (error instanceof pg.DatabaseError) return `${error.severity ?? 'ERROR'}: ${error.message}`;
  if (error instanceof Error) return error.message;
  return String(error);
}

/** Identity parsers: every value stays PostgreSQL's text output. */
const rawText = { getTypeParser: () => (value: string) => value } as unknown as pg.CustomTypesConfig;

function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

export interface RunStatementsInput {
  readonly target: PostgresTarget;
  readonly database: string;
  readonly identity: StatementIdentity;
  readonly statements: readonly BoundStatement[];
  /** Batches run in one transaction, as BatchExecuteStatement does. */
  readonly transaction: boolean;
  /** Called once connected, with the backend pid (RedshiftPid), so the statement can be cancelled. */
  readonly onStarted: (pid: number) => void;
  readonly connectTimeoutMs: number;
}

export async function runStatements(input: RunStatementsInput): Promise<StatementResult[]> {
  const { target, identity } = input;
  const client = new pg.Client({
    host: target.host,
    port: target.port,
    database: input.database,
    user: identity.kind === 'password' ? identity.user : target.adminUser,
    password: identity.kind === 'password' ? identity.password : target.adminPassword,
    connectionTimeoutMillis: input.connectTimeoutMs,
    types: rawText,
    application_name: 'rotor-local-redshift-data',
  });
  // A connection dropped mid-statement surfaces as the query's rejection; keep it off the process.
  client.on('error', () => {});
  const results: StatementResult[] = [];
  try {
    try {
      await client.connect();
      if (identity.kind === 'db-user') {
        await client.query(`SET SESSION AUTHORIZATION ${quoteIdentifier(identity.dbUser)}`);
      }
    } catch (error) {
      throw new StatementFailedError(serverMessage(error), undefined, results);
    }
    const pid = (client as unknown as { processID?: number }).processID ?? 0;
    input.onStarted(pid);
    if (input.transaction) await client.query('BEGIN');
    for (const [index, statement] of input.statements.entries()) {
      const started = process.hrtime.bigint();
      try {
        const result = await client.query({
          text: statement.text,
          values: statement.values,
          rowMode: 'array',
        });
        results.push({
          fields: result.fields.map(({ name, dataTypeID, dataTypeModifier }) => ({
            name,
            dataTypeID,
            dataTypeModifier,
          })),
          typeNames: [],
          rows: result.rows as unknown as Array<Array<string | null>>,
          rowCount: result.rowCount,
          durationNs: Number(process.hrtime.bigint() - started),
        });
      } catch (error) {
        throw new StatementFailedError(serverMessage(error), index, results);
      }
    }
    if (input.transaction) await client.query('COMMIT');
    return await withTypeNames(client, results);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Names column types; types outside the built-in table are looked up in pg_type. */
async function withTypeNames(client: pg.Client, results: StatementResult[]): Promise<StatementResult[]> {
  const unknown = new Set<number>();
  for (const result of results) {
    for (const field of result.fields)
      if (!BUILT_IN_TYPE_NAMES[field.dataTypeID]) unknown.add(field.dataTypeID);
  }
  const names = new Map<number, string>();
  if (unknown.size > 0) {
    const found = await client.query({
      text: 'SELECT oid::int4::text, typname::text FROM pg_type WHERE oid = ANY($1::oid[])',
      values: [`{${[...unknown].join(',')}}`],
      rowMode: 'array',
    });
    for (const row of found.rows as Array<[string, string]>) names.set(Number(row[0]), row[1]);
  }
  return results.map((result) => ({
    ...result,
    typeNames: result.fields.map(
      (field) => BUILT_IN_TYPE_NAMES[field.dataTypeID] ?? names.get(field.dataTypeID) ?? 'unknown',
    ),
  }));
}

/** Cancels a running statement by backend pid, from an admin connection (pg_cancel_backend). */
export async function cancelBackend(target: PostgresTarget, database: string, pid: number): Promise<void> {
  const client = new pg.Client({
    host: target.host,
    port: target.port,
    database,
    user: target.adminUser,
    password: target.adminPassword,
    connectionTimeoutMillis: 5_000,
  });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query('SELECT pg_cancel_backend($1)', [pid]);
  } finally {
    await client.end().catch(() => undefined);
  }
}
