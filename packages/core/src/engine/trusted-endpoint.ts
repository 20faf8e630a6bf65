/**
 * Where an engine may send credentials, and how. A secret is data anyone with PutSecretValue can write, so
 * the data-plane endpoint comes from the function's configuration or a control plane; the secret's host is
 * used only when it is one of those, and the secret's TLS keys can never weaken the function's TLS.
 */
import { InvalidConfigurationError, InvalidSecretError } from '../errors.js';
import type { RotationStep } from '../vocabulary.js';

export interface HostPort {
  readonly host: string;
  readonly port: number;
}

/** How a connection is protected, strongest first. */
export type TlsMode = 'verify-full' | 'require' | 'disable';

/**
 * Parses `host`, `host:port` or `[IPv6]:port` as an operator writes it in the function's configuration.
 * A missing port is `defaultPort`.
 */
export function parseHostPort(text: string, defaultPort: number): HostPort {
  const value = text.trim();
  const bracketed = /^\[([0-9a-fA-F:.]+)\](?::(\d{1,5}))?$/.exec(value);
  const plain = /^([A-Za-z0-9.-]+)(?::(\d{1,5}))?$/.exec(value);
  const match = bracketed ?? plain;
  const port = match?.[2] === undefined ? defaultPort : Number(match[2]);
  if (!match?.[1] || port < 1 || port > 65_535) {
    throw new InvalidConfigurationError(
      `"${value}" is not a host or host:port (IPv6 addresses go in brackets: [::1]:5432)`,
    );
  }
  return { host: match[1], port };
}

/** Host names compare without case and without a trailing dot. */
export function sameHost(a: string, b: string): boolean {
  const normal = (host: string) => host.toLowerCase().replace(/\.$/, '');
  return normal(a) === normal(b);
}

/** The trusted endpoint that is `candidate` (same host and port), if any. */
export function findEndpoint(trusted: readonly HostPort[], candidate: HostPort): HostPort | undefined {
  return trusted.find(
    (endpoint) => endpoint.port === candidate.port && sameHost(endpoint.host, candidate.host),
  );
}

const TLS_STRENGTH: Record<TlsMode, number> = { disable: 0, require: 1, 'verify-full': 2 };

/**
 * How strong a TLS value in a secret asks the connection to be: `false` / `disable` / `allow` / `prefer`
 * (libpq may then fall back to clear text) 0; `require` / `verify-ca` / `no-verify` (no host name check) 1;
 * `true` / `verify-full` 2 (AWS's RDS functions treat `ssl: true` as verified TLS). Undefined when the value
 * means nothing.
 */
function askedStrength(value: unknown): number | undefined {
  const text = String(value).trim().toLowerCase();
  if (['false', '0', 'no', 'off', 'disable', 'disabled', 'allow', 'prefer'].includes(text)) return 0;
  if (['require', 'required', 'verify-ca', 'no-verify'].includes(text)) return 1;
  if (['true', '1', 'yes', 'on', 'verify-full'].includes(text)) return 2;
  return undefined;
}

/** Keys through which secrets in the wild ask for TLS settings (AWS's `ssl`, libpq's `sslmode`, `tls`). */
const TLS_KEYS = new Set(['ssl', 'sslmode', 'ssl_mode', 'tls', 'tlsmode', 'tls_mode', 'rejectunauthorized']);

/**
 * Refuses a secret whose TLS keys ask for less than the function uses (`ssl: false`, `sslmode: "disable"`,
 * `tls: false`, `rejectUnauthorized: false`, ...). TLS is the function's setting, never the secret's: a
 * writer of the secret must not be able to make the function send passwords in clear text or to an
 * unverified server. Keys asking for as much or more are accepted (and change nothing).
 */
export function assertSecretKeepsTls(
  secret: Record<string, unknown>,
  mode: TlsMode,
  check: { setting: string; step?: RotationStep | undefined },
): void {
  for (const [key, value] of Object.entries(secret)) {
    if (!TLS_KEYS.has(key.toLowerCase()) || value === undefined || value === null) continue;
    const asked = askedStrength(value);
    if (asked === undefined) {
      throw new InvalidSecretError(`The secret's "${key}" has a value that is no TLS setting`, {
        step: check.step,
      });
    }
    if (asked < TLS_STRENGTH[mode]) {
      throw new InvalidSecretError(
        `The secret's "${key}" asks for weaker TLS than this function uses (${check.setting}); the secret cannot turn TLS or certificate checks off`,
        { step: check.step },
      );
    }
  }
}

const TLS_BY_STRENGTH: readonly TlsMode[] = ['disable', 'require', 'verify-full'];

/**
 * The TLS a connection uses when the function's mode is `mode` and the secret's TLS keys may only ask for
 * more: the stronger of the two. Call after {@link assertSecretKeepsTls}, which refuses a secret asking for
 * less. AWS's RDS functions read `ssl: true` as verified TLS; so does this.
 */
export function tlsForSecret(secret: Record<string, unknown>, mode: TlsMode): TlsMode {
  let strength = TLS_STRENGTH[mode];
  for (const [key, value] of Object.entries(secret)) {
    if (!TLS_KEYS.has(key.toLowerCase()) || value === undefined || value === null) continue;
    strength = Math.max(strength, askedStrength(value) ?? 0);
  }
  return TLS_BY_STRENGTH[strength]!;
}
