/**
 * What the engine needs from a connection, whichever way it reaches Redshift: run a query with
 * positional parameters (`$1`, `$2`) and read rows, or run several statements as one transaction.
 */
export type Row = Record<string, unknown>;

export interface TransactionOptions {
  idempotencyKey?: string;
}

export interface SqlSession {
  /** Runs one statement; parameters are bound by the transport, never spliced into the text. */
  query(sql: string, parameters?: readonly string[]): Promise<Row[]>;
  /**
   * Runs statements in order inside one transaction: all of them apply, or none. `idempotencyKey` names
   * the change (rotation token + what it does): a transport that can deduplicate a retried request by it
   * (the Data API's ClientToken) returns the first run's result instead of running it again.
   */
  transaction(statements: readonly string[], options?: TransactionOptions): Promise<void>;
  close(): Promise<void>;
}

/** Observes every statement text a session sends (tests assert no password ever appears in one). */
export type StatementObserver = (sql: string) => void;

export async function withSession<T>(
  open: () => Promise<SqlSession>,
  use: (session: SqlSession) => Promise<T>,
) {
  const session = await open();
  try {
    return await use(session);
  } finally {
    await session.close().catch(() => undefined);
  }
}
