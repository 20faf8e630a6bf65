import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { createCliLogger } from '../cli-logger.js';
import type { CommandContext } from '../command-context.js';
import { checkCurrentLogin } from '../current-login.js';
import { ENGINE_IDS, type EngineId, parseEngineOptions } from '../engines.js';
import { EXIT_CODES } from '../exit-codes.js';
import { formatTable, printJson } from '../output.js';
import { readSecretSnapshot } from '../secret-snapshot.js';
import { analyzeSecret, DEFAULT_STUCK_AFTER_MS, formatAge, type SecretStatus } from '../secret-status.js';

export function registerStatusCommand(program: Command, context: CommandContext): void {
  program
    .command('status')
    .description(
      "Show a secret's versions and stages, its rotation schedule, and whether a rotation is stuck (AWSPENDING on a version that is not AWSCURRENT), with what to do about it. While a rotation is pending it logs in with AWSCURRENT (the engine from --engine, or the one the secret names) and reports an interrupted rotation at once; otherwise it reads no secret value.",
    )
    .argument('<secret-id>', 'secret name or ARN')
    .option(
      '--stuck-after <minutes>',
      'report a pending rotation as stuck once it is older than this',
      parseMinutes,
      DEFAULT_STUCK_AFTER_MS / 60_000,
    )
    .addOption(
      new Option(
        '--engine <engine>',
        'the engine to log in with while a rotation is pending (default: from the secret)',
      ).choices(ENGINE_IDS),
    )
    .option(
      '--engine-options <json>',
      'the engine factory\'s options as a JSON object, e.g. \'{"pg":{"tls":"disable"}}\'',
      parseEngineOptions,
    )
    .addHelpText(
      'after',
      '\nExit codes: 0 healthy (or a rotation in progress), 1 the secret could not be read, 3 stuck, interrupted (AWSCURRENT refused while a rotation is pending) or no AWSCURRENT.',
    )
    .action(async (secretId: string, options: StatusOptions, command: Command) => {
      const globals = context.globals(command);
      const aws = context.awsConfig(globals);
      const client = new SecretsManagerClient(aws);
      try {
        const snapshot = await readSecretSnapshot(client, secretId);
        const currentLogin = await checkCurrentLogin({
          client,
          snapshot,
          engine: options.engine,
          engineOptions: options.engineOptions,
          aws,
          globalArgs: [
            ...(globals.endpoint ? ['--endpoint', globals.endpoint] : []),
            ...(globals.region ? ['--region', globals.region] : []),
          ],
          logger: createCliLogger({ write: undefined, verbose: false }),
          signal: context.stopSignal,
        });
        const status = analyzeSecret(snapshot, {
          now: new Date(),
          stuckAfterMs: options.stuckAfter * 60_000,
          currentLogin,
        });
        if (globals.json) printJson(context.io, status);
        else context.io.stdout(renderStatus(status));
        context.setExitCode(status.healthy ? EXIT_CODES.ok : EXIT_CODES.unhealthy);
      } finally {
        client.destroy();
      }
    });
}

interface StatusOptions {
  stuckAfter: number;
  engine?: EngineId;
  engineOptions?: Record<string, unknown>;
}

/** commander reports an InvalidArgumentError as a usage error (exit 2) naming the option. */
function parseMinutes(value: string): number {
  const minutes = Number(value);
  if (!Number.isFinite(minutes) || minutes < 0) {
    throw new InvalidArgumentError(`"${value}" is not a number of minutes`);
  }
  return minutes;
}

const STATE_LABEL: Record<SecretStatus['state'], string> = {
  ok: 'OK',
  rotating: 'ROTATING',
  interrupted: 'INTERRUPTED',
  stuck: 'STUCK',
  'no-current': 'NO AWSCURRENT',
};

export function renderStatus(status: SecretStatus): string {
  const lines: string[] = [];
  const r = status.rotation;
  lines.push(`Secret         ${status.secret.name}`);
  lines.push(`ARN            ${status.secret.arn}`);
  lines.push(`Rotation       ${r.enabled ? 'enabled' : 'not enabled'}${r.schedule ? `, ${r.schedule}` : ''}`);
  if (r.functionArn) lines.push(`Function       ${r.functionArn}`);
  lines.push(`Last rotated   ${r.lastRotated ?? 'never'}`);
  lines.push(
    `Next rotation  ${r.nextRotation ? `${r.nextRotation}${r.nextRotationEstimated ? ' (estimated from the schedule)' : ''}` : 'not scheduled'}`,
  );
  lines.push('');
  lines.push(
    formatTable([
      ['VERSION', 'STAGES', 'CREATED'],
      ...status.versions.map((v) => [v.versionId, v.stages.join(','), v.created ?? '-']),
    ]),
  );
  lines.push('');
  const age = status.pending?.ageSeconds;
  lines.push(
    `State          ${STATE_LABEL[status.state]}${status.pending && age !== null && age !== undefined ? ` (pending for ${formatAge(age)})` : ''}`,
  );
  for (const finding of status.findings) lines.push(`  - ${finding}`);
  if (status.advice.length > 0) {
    lines.push('');
    lines.push('What to do');
    status.advice.forEach((step, i) => {
      lines.push(`  ${i + 1}. ${step}`);
    });
  }
  return `${lines.join('\n')}\n`;
}
