import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { StrategyChoice } from '@rotor/core';
import { type Command, Option } from 'commander';
import { createCliLogger } from '../cli-logger.js';
import { type DoctorReport, runDoctor } from '../doctor-run.js';
import { createEngine, ENGINE_IDS, type EngineId, parseEngineOptions } from '../engines.js';
import { EXIT_CODES } from '../exit-codes.js';
import { formatTable, printJson } from '../output.js';
import type { CommandContext } from '../program.js';
import { STRATEGY_CHOICES } from './rotate.js';

export function registerDoctorCommand(program: Command, context: CommandContext): void {
  program
    .command('doctor')
    .description(
      "Check a secret without changing anything: its versions, rotation configuration, shape against the engine's schema, the admin secret, the engine's pre-checks, and a login with AWSCURRENT.",
    )
    .argument('<secret-id>', 'secret name or ARN')
    .addOption(
      new Option('--engine <engine>', 'the engine the secret belongs to')
        .choices(ENGINE_IDS)
        .makeOptionMandatory(),
    )
    .addOption(
      new Option('--strategy <strategy>', 'the strategy the rotation function uses')
        .choices(STRATEGY_CHOICES)
        .default('auto'),
    )
    .option(
      '--engine-options <json>',
      'the engine factory\'s options as a JSON object (see the engine\'s README), e.g. \'{"pg":{"tls":"disable"}}\'',
      parseEngineOptions,
    )
    .option('--verbose', 'print the debug lines of the engine', false)
    .addHelpText(
      'after',
      '\nExit codes: 0 every check passed (warnings allowed), 1 the secret could not be read, 3 a check failed.',
    )
    .action(
      async (
        secretId: string,
        options: {
          engine: EngineId;
          strategy: StrategyChoice;
          verbose: boolean;
          engineOptions?: Record<string, unknown>;
        },
        command: Command,
      ) => {
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
      },
    );
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
