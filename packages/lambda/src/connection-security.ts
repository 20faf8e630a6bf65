/**
 * How each connection a rotation function opens is protected. Every connection's transport is in the
 * cold-start line; a weaker one than verified TLS is a downgrade, logged as a warning on every invocation
 * so that it cannot go unnoticed in a function that has run quietly for months.
 */

export type ConnectionTransport =
  /** TLS with the server's certificate and host name verified. */
  | 'verified-tls'
  /** TLS without certificate verification: encrypted, but anyone on the path can pose as the server. */
  | 'unverified-tls'
  /** No TLS: passwords cross the network in clear text. */
  | 'plaintext';

export interface ConnectionSecurity {
  /** What the connection reaches: "cache data plane", "Redshift (pg)", ... */
  name: string;
  transport: ConnectionTransport;
  /** The setting that chose a weaker transport, e.g. `ROTOR_CACHE_TLS_VERIFY=false`. */
  setting?: string;
}

/** The warnings for every downgraded connection; empty when all use verified TLS. */
export function downgradeWarnings(connections: readonly ConnectionSecurity[]): string[] {
  return connections
    .filter((connection) => connection.transport !== 'verified-tls')
    .map(
      (connection) =>
        `TLS downgrade: the ${connection.name} connection uses ${
          connection.transport === 'plaintext'
            ? 'no TLS (passwords in clear text)'
            : 'TLS without certificate verification'
        }` + (connection.setting ? ` because of ${connection.setting}` : ''),
    );
}

/** The transport of a connection using one of the engines' TLS modes (`verify-full`, `require`, `disable`). */
export function tlsModeTransport(mode: 'verify-full' | 'require' | 'disable'): ConnectionTransport {
  if (mode === 'verify-full') return 'verified-tls';
  return mode === 'require' ? 'unverified-tls' : 'plaintext';
}
