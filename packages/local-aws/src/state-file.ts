import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * The endpoint's optional state file: one JSON document with a section per service (`secrets`,
 * `elasticache`), so `pnpm local-aws --state-file` keeps its state across restarts. Each service rewrites
 * only its own section.
 */
const FORMAT = 'rotor-local-aws@1';

type StateDocument = { format: typeof FORMAT } & Record<string, unknown>;

function readDocument(path: string): StateDocument | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const parsed = JSON.parse(text) as Partial<StateDocument>;
  if (parsed.format !== FORMAT) {
    throw new Error(
      `${path} is not a local-aws state file (expected format ${FORMAT}); refusing to overwrite it`,
    );
  }
  return parsed as StateDocument;
}

/** A section of the state file, or undefined when the file or the section does not exist yet. */
export function readStateSection<T>(path: string, section: string): T | undefined {
  return readDocument(path)?.[section] as T | undefined;
}

/** Replaces one section; written atomically (temp file, then rename) and readable by the owner only. */
export function writeStateSection(path: string, section: string, value: unknown): void {
  writeStateSections(path, { [section]: value });
}

/** Replaces several sections in one atomic write: a reader (or a restart after SIGKILL) sees all or none. */
export function writeStateSections(path: string, sections: Record<string, unknown>): void {
  const document: StateDocument = readDocument(path) ?? { format: FORMAT };
  Object.assign(document, sections);
  mkdirSync(dirname(path), { recursive: true });
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, `${JSON.stringify(document, null, 2)}\n`, { mode: 0o600 });
  renameSync(temp, path);
}
