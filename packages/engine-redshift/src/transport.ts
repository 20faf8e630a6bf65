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
   * the change (rotation token + what it does) where the transport records names (Data API StatementName).
   */
  transaction(statements: readonly string[], options?: TransactionOptions): Promise<void>;
  /**
   * Whether these exact statements, under this key, already committed in an earlier call (the Data API's
   * statement history). Transports without a history do not implement it.
   */
  committedEarlier?(statements: readonly string[], idempotencyKey: string): Promise<boolean>;
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
