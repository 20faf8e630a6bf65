import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';

/** PostgreSQL's defaults (`scram_iterations`, SCRAM_DEFAULT_SALT_LEN). */
export const DEFAULT_SCRAM_ITERATIONS = 4096;
const SALT_BYTES = 16;

/**
 * Why a password cannot be turned into a verifier here, or undefined when it can.
 *
 * PostgreSQL (and libpq) run a password through SASLprep before hashing it. SASLprep leaves an ASCII
 * string unchanged (its mappings and normalisation only touch non-ASCII characters, and prohibited ASCII
 * control characters make PostgreSQL fall back to the raw bytes), so for ASCII the verifier computed here
 * is exactly the one the server would compute. Non-ASCII passwords would need a full SASLprep, which
 * this engine does not implement: it refuses them instead of storing a verifier some clients cannot match.
 * NUL cannot travel in the startup message, so no client could ever log in with it.
 */
export function verifierProblem(password: string): string | undefined {
  if (password.length === 0) return 'the password is empty';
  for (const character of password) {
    const code = character.codePointAt(0)!;
    if (code === 0) return 'the password contains a NUL character';
    if (code > 0x7f) return 'the password contains non-ASCII characters (SASLprep is not implemented)';
  }
  return undefined;
}

/**
 * The SCRAM-SHA-256 verifier PostgreSQL stores for `password` (RFC 5802 / RFC 7677 keys), in the
 * `SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>` form `ALTER ROLE ... PASSWORD` accepts
 * as already hashed. Computing it here keeps the clear password out of the statement text, the server
 * log and pg_stat_statements.
 */
export function scramSha256Verifier(
  password: string,
  options: { iterations?: number; salt?: Buffer } = {},
): string {
  const iterations = options.iterations ?? DEFAULT_SCRAM_ITERATIONS;
  const salt = options.salt ?? randomBytes(SALT_BYTES);
  const saltedPassword = pbkdf2Sync(Buffer.from(password, 'utf8'), salt, iterations, 32, 'sha256');
  const clientKey = createHmac('sha256', saltedPassword).update('Client Key').digest();
  const storedKey = createHash('sha256').update(clientKey).digest();
  const serverKey = createHmac('sha256', saltedPassword).update('Server Key').digest();
  return `SCRAM-SHA-256$${iterations}:${salt.toString('base64')}$${storedKey.toString('base64')}:${serverKey.toString('base64')}`;
}

/** A verifier in the exact shape above: only base64, digits and the separators, so it is safe inside quotes. */
export const SCRAM_VERIFIER_PATTERN =
  /^SCRAM-SHA-256\$\d+:[A-Za-z0-9+/]+={0,2}\$[A-Za-z0-9+/]+={0,2}:[A-Za-z0-9+/]+={0,2}$/;
