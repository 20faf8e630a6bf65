/**
 * What every command receives from the program. Its own module, below both: commands and program import it,
 * and neither imports the other's types (the import graph has no circle).
 */
import type { Command } from 'commander';
import type { AwsClientConfig } from './aws-config.js';
import type { ExitCode } from './exit-codes.js';
import type { CliIo } from './output.js';

export interface GlobalOptions {
  endpoint?: string | undefined;
  region?: string | undefined;
  json: boolean;
}

/** What every command receives: where to write, the global options, and how to report its exit code. */
export interface CommandContext {
  io: CliIo;
  globals(command: Command): GlobalOptions;
  awsConfig(globals: GlobalOptions): AwsClientConfig;
  setExitCode(code: ExitCode | number): void;
  /** Resolves when the command should stop (SIGINT/SIGTERM for the CLI; tests pass their own). */
  stopSignal: AbortSignal;
}
