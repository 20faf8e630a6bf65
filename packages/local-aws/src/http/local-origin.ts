import type { IncomingHttpHeaders } from 'node:http';
import type { Refusal } from './refusal.js';

/**
 * The endpoint serves processes on this machine, not web pages. Two browser attacks reach a loopback port:
 * - a cross-site form POST (awsQuery bodies are plain forms, so no CORS preflight stops it) from any page
 *   the user opens; browsers send that page's `Origin` with every POST;
 * - DNS rebinding: a page on attacker.example re-points its name at 127.0.0.1 and reads the answers as
 *   same-origin; the request still carries `Host: attacker.example`.
 * So a request is served only when its `Host` is a loopback name (with this endpoint's port or none) and
 * its `Origin`, when present, is a local origin (any scheme http/https, any port). Tools that are not
 * browsers (SDKs, the aws CLI, curl) send `Host: 127.0.0.1:<port>` and no Origin.
 */
const LOOPBACK_NAMES = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** Header values are attacker-chosen: keep what goes into a message (and the log) short. */
const shown = (value: string) => JSON.stringify(value.length > 100 ? `${value.slice(0, 100)}…` : value);

const forbidden = (message: string): Refusal => ({
  message,
  awsJson: { code: 'AccessDeniedException', statusCode: 403 },
  awsQuery: { code: 'AccessDenied', statusCode: 403 },
});

/** Splits `name[:port]`, where name may be a bracketed IPv6 literal. */
function splitHost(host: string): { name: string; port: string | undefined } | undefined {
  const match = /^(\[[^\]]*\]|[^:[\]]*)(?::(\d*))?$/.exec(host);
  if (!match?.[1]) return undefined;
  return { name: match[1].toLowerCase(), port: match[2] };
}

export function isLoopbackHost(host: string, endpointPort: number): boolean {
  const parts = splitHost(host);
  if (!parts || !LOOPBACK_NAMES.has(parts.name)) return false;
  return parts.port === undefined || parts.port === String(endpointPort);
}

export function isLocalOrigin(origin: string): boolean {
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false; // includes the opaque origin "null" (sandboxed frames, file: pages)
  }
  return (url.protocol === 'http:' || url.protocol === 'https:') && LOOPBACK_NAMES.has(url.hostname);
}

/** Why the request must be refused, or undefined when it comes from this machine's own clients. */
export function checkLocalRequest(headers: IncomingHttpHeaders, endpointPort: number): Refusal | undefined {
  const host = headers.host;
  if (host === undefined || !isLoopbackHost(host, endpointPort)) {
    return forbidden(
      `The local endpoint answers only requests addressed to a loopback name (127.0.0.1, localhost or [::1], ` +
        `port ${endpointPort}); the Host header was ${host === undefined ? 'missing' : shown(host)}.`,
    );
  }
  const origin = headers.origin;
  if (origin !== undefined && !isLocalOrigin(origin)) {
    return forbidden(
      `The local endpoint does not answer web pages of other sites; the request came from Origin ${shown(origin)}.`,
    );
  }
  return undefined;
}
