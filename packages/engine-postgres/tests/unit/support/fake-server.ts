import type pg from 'pg';
import type { ClientFactory } from '../../../src/postgres-client.ts';

export interface FakeRole {
  oid: number;
  rolinherit: boolean;
  rolcreatedb: boolean;
  rolconnlimit: number;
}

/**
 * A PostgreSQL server scripted in memory, for what a real one cannot be made to do on demand (fail a given
 * statement) and to see every statement, in order, with the configuration of every connection. Logins succeed
 * for the listed user / password pairs and are refused (28P01) otherwise; `failOn` makes the first statement
 * matching a pattern throw the given error.
 */
export function fakeServer(
  options: {
    logins?: Record<string, string>;
    roles?: Record<string, FakeRole>;
    memberships?: Record<number, Array<{ rolname: string; admin_option: boolean }>>;
    failOn?: Array<{ statement: RegExp; error: Error }>;
  } = {},
) {
  const { logins = {}, roles = {}, memberships = {}, failOn = [] } = options;
  const statements: string[] = [];
  const values: unknown[][] = [];
  const configs: pg.ClientConfig[] = [];
  let open = 0;
  const factory: ClientFactory = (config) => {
    configs.push(config);
    let connected = false;
    return {
      async connect() {
        if (logins[String(config.user)] !== config.password)
          throw Object.assign(new Error(`password authentication failed for user "${config.user}"`), {
            code: '28P01',
          });
        connected = true;
        open += 1;
      },
      async query(text, given = []) {
        statements.push(text);
        values.push(given);
        const failure = failOn.find((entry) => entry.statement.test(text));
        if (failure) throw failure.error;
        if (text.startsWith('SELECT oid')) {
          const role = roles[String(given[0])];
          return { rows: role ? [{ ...role }] : [] };
        }
        if (text.includes('pg_auth_members')) return { rows: memberships[Number(given[0])] ?? [] };
        if (text.startsWith('SELECT 1 FROM pg_catalog.pg_roles'))
          return { rows: roles[String(given[0])] ? [{ '?column?': 1 }] : [] };
        return { rows: [] };
      },
      async end() {
        if (connected) open -= 1;
        connected = false;
      },
    };
  };
  return {
    factory,
    statements,
    values,
    configs,
    /** Connections opened and not yet closed. */
    open: () => open,
  };
}

/** A driver error with a SQLSTATE, as node-postgres reports a server's. */
export const sqlError = (code: string, message: string) => Object.assign(new Error(message), { code });
