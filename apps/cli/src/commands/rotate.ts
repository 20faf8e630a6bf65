import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { Command } from 'commander';
import { createCliLogger, type LogLine } from '../cli-logger.js';
import type { CommandContext } from '../command-context.js';
import { createEngine } from '../engines.js';
import { EXIT_CODES } from '../exit-codes.js';
import { printJson } from '../output.js';
import { runRotationInProcess } from '../rotate-run.js';
import { createWaitProgress } from '../wait-progress.js';
import { type EngineFlags, withEngineFlags } from './engine-flags.js';

interface RotateOptions extends EngineFlags {
  start: boolean;
  token?: string;
  ignoreRotationDisabled: boolean;
}

export function registerRotateCommand(program: Command, context: CommandContext): void {
  withEngineFlags(program.command('rotate'), 'rotation strategy (auto: from the secret and the engine)')
    .description(
      'Run the four rotation steps (createSecret, setSecret, testSecret, finishSecret) in this process with the engine, printing each step: debug a rotation without deploying the function. Resumes the pending rotation, or starts one with --start.',
    )
    .argument('<secret-id>', 'secret name or ARN')
    .option(
      '--start',
      'when no rotation is pending, begin one as RotateSecret does (a new AWSPENDING version)',
      false,
    )
    .option('--token <version-id>', 'the version id to resume (or to create, with --start)')
    .option(
      '--ignore-rotation-disabled',
      "run although rotation is not enabled on the secret (only this process's pre-check is relaxed)",
      false,
    )
    .addHelpText(
      'after',
      '\nExit codes: 0 the rotation finished, 1 a step failed (the version stays AWSPENDING; run again to resume), 2 nothing pending without --start.',
    )
    .action(async (secretId: string, options: RotateOptions, command: Command) => {
      const globals = context.globals(command);
      const aws = context.awsConfig(globals);
      const client = new SecretsManagerClient(aws);
      const logs: LogLine[] = [];
      const progress = globals.json
        ? undefined
        : createWaitProgress({ write: (text) => context.io.stdout(text), tty: context.io.isTTY === true });
      const out = globals.json
        ? undefined
        : (text: string) => {
            progress?.clear();
            context.io.stdout(text);
          };
      try {
        const engine = await createEngine(options.engine, { aws, options: options.engineOptions ?? {} });
        const result = await runRotationInProcess({
          secretId,
          engine,
          strategy: options.strategy,
          start: options.start,
          token: options.token,
          ignoreRotationDisabled: options.ignoreRotationDisabled,
          client,
          logger: createCliLogger({ write: out, verbose: options.verbose, collect: logs, progress }),
          onStepStart: (step) => out?.(`${step}\n`),
          onStepEnd: (report) =>
            out?.(
              `  ${report.result === 'failed' ? 'FAILED' : report.result} in ${Math.round(report.durationMs)} ms` +
                (report.error
                  ? `: ${report.error.message} (${report.error.code}${report.error.retryable ? ', retryable' : ''})`
                  : '') +
                '\n',
            ),
        });
        if (globals.json) {
          printJson(context.io, { ...result, engine: options.engine, logs });
        } else if (result.succeeded) {
          out?.(`Rotated ${result.secretArn}: version ${result.versionId} is now AWSCURRENT.\n`);
        } else {
          out?.(
            `Rotation of ${result.secretArn} stopped; version ${result.versionId} stays AWSPENDING. ` +
              `Fix the cause, then run this command again (without --start) to resume it.\n`,
          );
        }
        context.setExitCode(result.succeeded ? EXIT_CODES.ok : EXIT_CODES.failure);
      } finally {
        progress?.clear();
        client.destroy();
      }
    });
}
