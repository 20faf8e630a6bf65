import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { Command } from 'commander';
import { createCliLogger } from '../cli-logger.js';
import type { CommandContext } from '../command-context.js';
import { type DoctorReport, runDoctor } from '../doctor-run.js';
import { createEngine } from '../engines.js';
import { EXIT_CODES } from '../exit-codes.js';
import { formatTable, printJson } from '../output.js';
import { type EngineFlags, withEngineFlags } from './engine-flags.js';

export function registerDoctorCommand(program: Command, context: CommandContext): void {
  withEngineFlags(program.command('doctor'), 'the strategy the rotation function uses')
    .description(
      "Check a secret without changing anything: its versions, rotation configuration, shape against the engine's schema, the admin secret, the engine's pre-checks, and a login with AWSCURRENT.",
    )
    .argument('<secret-id>', 'secret name or ARN')
    .addHelpText(
      'after',
      '\nExit codes: 0 every check passed (warnings allowed), 1 the secret could not be read, 3 a check failed.',
    )
    .action(async (secretId: string, options: EngineFlags, command: Command) => {
      const globals = context.globals(command);
      const aws = context.awsConfig(globals);
      const client = new SecretsManagerClient(aws);
      try {
        const engine = await createEngine(options.engine, { aws, options: options.engineOptions ?? {} });
        const report = await runDoctor({
          secretId,
          engine,
          strategy: options.strategy,
          client,
          logger: createCliLogger({
            write: globals.json ? undefined : (text) => context.io.stderr(text),
            verbose: options.verbose,
          }),
          signal: context.stopSignal,
        });
        if (globals.json) printJson(context.io, report);
        else context.io.stdout(renderDoctor(report));
        context.setExitCode(report.healthy ? EXIT_CODES.ok : EXIT_CODES.unhealthy);
      } finally {
        client.destroy();
      }
    });
}

export function renderDoctor(report: DoctorReport): string {
  const table = formatTable([
    ['CHECK', 'RESULT', 'DETAIL'],
    ...report.checks.map((check) => [check.title, check.status.toUpperCase(), check.detail]),
  ]);
  const verdict = report.healthy
    ? 'No failing check.'
    : `${report.checks.filter((c) => c.status === 'fail').length} check(s) failed.`;
  return `${report.secret.name} (${report.engine})\n\n${table}\n\n${verdict}\n`;
}
