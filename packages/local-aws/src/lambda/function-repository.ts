/**
 * Functions created through the Lambda API: their configuration, code directory and resource policy, kept
 * in the state file's `lambda` section (written at every change) and registered with the function host.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LocalAwsLogger } from '../logger.js';
import { readStateSection, writeStateSection } from '../state-file.js';
import type { FunctionHost, RegisteredFunction } from './function-host.js';
import type { PermissionStatement } from './policy.js';

export interface LambdaFunctionRecord {
  functionName: string;
  runtime: string;
  role: string;
  handler: string;
  description: string;
  timeout: number;
  memorySize: number;
  environment: Record<string, string>;
  /** The handler's file inside codeDir. */
  handlerFile: string;
  codeDir: string;
  codeSha256: string;
  codeSize: number;
  lastModified: number;
  revisionId: string;
  policy: PermissionStatement[];
}

export interface FunctionRepository {
  get(functionName: string): LambdaFunctionRecord | undefined;
  all(): LambdaFunctionRecord[];
  /** Saves the record, registers it with the host (replacing the running configuration) and persists. */
  put(record: LambdaFunctionRecord): RegisteredFunction;
  remove(functionName: string): void;
  /** A fresh directory for a function's code, under the state file's code root or a temp dir. */
  newCodeDir(functionName: string): string;
  close(): void;
}

export function createFunctionRepository(options: {
  host: FunctionHost;
  stateFile?: string | undefined;
  logger: LocalAwsLogger;
}): FunctionRepository {
  const { host, stateFile, logger } = options;
  const records = new Map<string, LambdaFunctionRecord>();
  // Code lives next to the state file so functions survive restarts; otherwise in a temp dir removed at close.
  const codeRoot = stateFile ? `${stateFile}.lambda-code` : mkdtempSync(join(tmpdir(), 'local-aws-lambda-'));

  const register = (record: LambdaFunctionRecord) =>
    host.register(
      {
        functionName: record.functionName,
        bundlePath: join(record.codeDir, record.handlerFile),
        handler: record.handler,
        timeoutSeconds: record.timeout,
        memorySizeMb: record.memorySize,
        environment: record.environment,
      },
      record.policy,
    );
  const persist = () => {
    if (stateFile) writeStateSection(stateFile, 'lambda', { version: 1, functions: [...records.values()] });
  };

  if (stateFile) {
    const saved = readStateSection<{ version: number; functions: LambdaFunctionRecord[] }>(
      stateFile,
      'lambda',
    );
    for (const record of saved?.functions ?? []) {
      try {
        register(record);
        records.set(record.functionName, record);
      } catch (error) {
        logger.warn('lambda: a function of the state file could not be restored; skipped', {
          functionName: record.functionName,
          error: error instanceof Error ? error.message : String(error),
        });
      }
    }
  }

  return {
    get: (functionName) => records.get(functionName),
    all: () => [...records.values()],
    put(record) {
      const registered = register(record);
      records.set(record.functionName, record);
      persist();
      return registered;
    },
    remove(functionName) {
      records.delete(functionName);
      host.unregister(functionName);
      persist();
    },
    newCodeDir: (functionName) => join(codeRoot, `${functionName}-${randomUUID()}`),
    close() {
      if (!stateFile) rmSync(codeRoot, { recursive: true, force: true });
    },
  };
}
