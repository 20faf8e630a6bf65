/**
 * A function's deployment package: the zip `aws lambda create-function --zip-file fileb://...` sends (base64
 * in the JSON body), unpacked with fflate into a directory of its own, and the handler's file found in it.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, normalize, sep } from 'node:path';
import { unzipSync } from 'fflate';
import { AwsApiError } from '../service.js';

/** Lambda's limit on a zip uploaded directly (50 MB), which the endpoint's body limit keeps lower anyway. */
const MAX_ZIP_BYTES = 50 * 1024 * 1024;
/** Lambda's limit on the unzipped code (250 MB). */
const MAX_UNZIPPED_BYTES = 250 * 1024 * 1024;

export interface UnpackedCode {
  readonly files: ReadonlyMap<string, Uint8Array>;
  /** Base64 SHA-256 of the zip, Lambda's CodeSha256. */
  readonly codeSha256: string;
  readonly codeSize: number;
}

function cannotUnzip(): AwsApiError {
  return new AwsApiError(
    'InvalidParameterValueException',
    'Could not unzip uploaded file. Please check your file, then try to upload again.',
  );
}

/** Decodes and unzips in memory: nothing is written until the caller has checked the handler. */
export function readZip(zipBase64: string): UnpackedCode {
  const zip = Buffer.from(zipBase64, 'base64');
  if (zip.length === 0) throw cannotUnzip();
  if (zip.length > MAX_ZIP_BYTES) {
    throw new AwsApiError('RequestTooLargeException', 'Request must be smaller than 52428800 bytes.', 413);
  }
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(new Uint8Array(zip));
  } catch {
    throw cannotUnzip();
  }
  const files = new Map<string, Uint8Array>();
  let total = 0;
  for (const [name, content] of Object.entries(entries)) {
    if (name.endsWith('/')) continue;
    const path = normalize(name);
    // An entry may not climb out of the function's directory (zip slip).
    if (path.startsWith('..') || path.startsWith(sep) || /^[A-Za-z]:/.test(path)) throw cannotUnzip();
    total += content.length;
    if (total > MAX_UNZIPPED_BYTES) {
      throw new AwsApiError(
        'InvalidParameterValueException',
        'Unzipped size must be smaller than 262144000 bytes',
      );
    }
    files.set(path, content);
  }
  return { files, codeSha256: createHash('sha256').update(zip).digest('base64'), codeSize: zip.length };
}

/** Node.js handler `path/file.export`: the file Lambda's Node.js runtime loads for it, if the code has one. */
export function handlerFile(code: UnpackedCode, handler: string): string | undefined {
  const dot = handler.lastIndexOf('.');
  if (dot <= 0 || dot === handler.length - 1) return undefined;
  const base = normalize(handler.slice(0, dot));
  return ['.js', '.mjs', '.cjs']
    .map((extension) => `${base}${extension}`)
    .find((file) => code.files.has(file));
}

export function requireHandlerFile(code: UnpackedCode, handler: string): string {
  const file = handlerFile(code, handler);
  if (!file) {
    const dot = handler.lastIndexOf('.');
    const base = dot > 0 ? handler.slice(0, dot) : handler;
    throw new AwsApiError(
      'InvalidParameterValueException',
      `The handler ${handler} needs ${base}.js, ${base}.mjs or ${base}.cjs exporting ${dot > 0 ? handler.slice(dot + 1) : '<export>'}, and the zip holds none of them (local-aws checks at upload what Lambda reports at the first invocation as Runtime.ImportModuleError).`,
    );
  }
  return file;
}

/** Writes the code into `dir` (fresh), readable by the owner only. */
export function writeCode(code: UnpackedCode, dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  for (const [path, content] of code.files) {
    const target = join(dir, path);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, content, { mode: 0o600 });
  }
}

export function removeCode(dir: string): void {
  if (existsSync(dir)) rmSync(dir, { recursive: true, force: true });
}
