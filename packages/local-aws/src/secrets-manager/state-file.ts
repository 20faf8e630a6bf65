import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { SecretRecord } from './model.js';

const FORMAT = 'rotor-local-aws/secrets-manager@1';

interface StateFileContent {
  format: typeof FORMAT;
  secrets: SecretRecord[];
}

/**
 * Loads the secrets saved by a previous run, or none when the file does not exist yet. A file in another
 * format is refused rather than overwritten.
 */
export function loadSecrets(path: string): SecretRecord[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const parsed = JSON.parse(text) as Partial<StateFileContent>;
  if (parsed.format !== FORMAT || !Array.isArray(parsed.secrets)) {
    throw new Error(`${path} is not a local-aws state file (expected format ${FORMAT})`);
  }
  return parsed.secrets;
}

/** Writes atomically (temp file, then rename), so a crash mid-write never leaves a truncated state file. */
export function saveSecrets(path: string, secrets: readonly SecretRecord[]): void {
  mkdirSync(dirname(path), { recursive: true });
  const content: StateFileContent = { format: FORMAT, secrets: [...secrets] };
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, `${JSON.stringify(content, null, 2)}\n`, { mode: 0o600 });
  renameSync(temp, path);
}
