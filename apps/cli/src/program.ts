import { RotationError } from '@rotor/core';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { awsClientConfig } from './aws-config.js';
import type { CommandContext } from './command-context.js';
import { registerDoctorCommand } from './commands/doctor.js';
import { registerLocalAwsCommand } from './commands/local-aws.js';
import { registerRotateCommand } from './commands/rotate.js';
import { registerStatusCommand } from './commands/status.js';
import { EXIT_CODES, type ExitCode, UsageError } from './exit-codes.js';
import { type CliIo, printJson, processIo } from './output.js';

const EXIT_CODE_HELP = `
Exit codes:
  0  ok
  1  failure: an AWS call, an engine or a rotation step failed
  2  usage: unknown command or option, missing or bad argument
  3  unhealthy: status found a stuck rotation, doctor found a failing check

Every AWS call uses the default credential chain and region, or --endpoint/--region
(a loopback endpoint such as \`rotor local-aws\` gets placeholder credentials when none are set).`;

export interface RunOptions {
  io?: CliIo;
  stopSignal?: AbortSignal;
}

/** Parses `argv` (without node and script), runs the command and returns the exit code; never exits. */
export async function runCli(argv: readonly string[], options: RunOptions = {}): Promise<ExitCode | number> {
  const io = options.io ?? processIo;
  let exitCode: ExitCode | number = EXIT_CODES.ok;
  // Known before parsing, so that even a usage error found while parsing is reported as JSON.
  let json = argv.includes('--json');
  const usageErrors: string[] = [];
  const context: CommandContext = {
    io,
    globals(command) {
      const all = command.optsWithGlobals<{ endpoint?: string; region?: string; json?: boolean }>();
      json = all.json === true;
      return { endpoint: all.endpoint, region: all.region, json };
    },
    awsConfig: (globals) => awsClientConfig(globals, io.env),
    setExitCode(code) {
      exitCode = code;
    },
    stopSignal: options.stopSignal ?? new AbortController().signal,
  };

  const program = buildProgram(context, {
    json: () => json,
    capture: (text) => usageErrors.push(text),
  });
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version exit 0; everything else commander rejects is a usage error (printed, unless --json).
      if (error.exitCode === 0) return EXIT_CODES.ok;
      if (json) printJson(io, { error: { code: 'USAGE', message: usageMessage(usageErrors, error) } });
      return EXIT_CODES.usage;
    }
    return reportError(io, json, error);
  }
}

/** Under --json, commander's own error output is held back and reported as one JSON error instead. */
export interface ErrorOutput {
  json(): boolean;
  capture(text: string): void;
}

function usageMessage(captured: readonly string[], error: CommanderError): string {
  const text = captured
    .join('')
    .trim()
    .replace(/^error: /, '');
  if (text) return text;
  return error.code === 'commander.help' ? 'a command is required; see rotor --help' : error.message;
}

/** --endpoint must be an http(s) URL: anything else is a usage error, not an AWS failure later on. */
export function parseEndpoint(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InvalidArgumentError('Expected a URL such as http://127.0.0.1:4566.');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new InvalidArgumentError('Expected an http:// or https:// URL.');
  }
  return value;
}

export function buildProgram(
  context: CommandContext,
  errorOutput: ErrorOutput = { json: () => false, capture: () => {} },
): Command {
  const program = new Command('rotor');
  program
    .description(
      'Inspect, diagnose and run AWS Secrets Manager rotations (ElastiCache users, Redshift, PostgreSQL).',
    )
    .version('0.1.0')
    .addOption(
      new Option(
        '--endpoint <url>',
        'AWS endpoint URL for every service (e.g. http://127.0.0.1:4566 for rotor local-aws)',
      ).argParser(parseEndpoint),
    )
    .option('--region <region>', 'AWS region (default: AWS_REGION, or us-east-1 for a loopback endpoint)')
    .option('--json', 'print one JSON document on stdout instead of text', false)
    .exitOverride()
    .configureOutput({
      writeOut: (text) => context.io.stdout(text),
      writeErr: (text) => {
        if (!errorOutput.json()) context.io.stderr(text);
      },
      outputError: (text, write) => {
        if (errorOutput.json()) errorOutput.capture(text);
        else write(text);
      },
    })
    .showHelpAfterError('(add --help for usage)')
    .addHelpText('after', EXIT_CODE_HELP);
  registerStatusCommand(program, context);
  registerRotateCommand(program, context);
  registerDoctorCommand(program, context);
  registerLocalAwsCommand(program, context);
  return program;
}

function reportError(io: CliIo, json: boolean, error: unknown): ExitCode {
  const code = error instanceof UsageError ? EXIT_CODES.usage : EXIT_CODES.failure;
  const described = describeError(error);
  if (json) printJson(io, { error: described });
  else io.stderr(`rotor: ${described.message}${described.code ? ` (${described.code})` : ''}\n`);
  if (!json && described.hint) io.stderr(`${described.hint}\n`);
  return code;
}

interface DescribedError {
  code: string | null;
  message: string;
  hint?: string;
}

/** A one-line account of an error: Rotor's code, AWS's error name, or the network failure. */
export function describeError(error: unknown): DescribedError {
  if (RotationError.isInstance(error)) return { code: error.code, message: error.message };
  if (error instanceof UsageError) return { code: 'USAGE', message: error.message };
  if (error instanceof Error) {
    const name = error.name;
    const networkCode = (error as { code?: unknown }).code;
    if (typeof networkCode === 'string' && /^E[A-Z]+$/.test(networkCode)) {
      return {
        code: networkCode,
        message: `cannot reach the AWS endpoint: ${error.message}`,
        hint: 'Check --endpoint (is `rotor local-aws` running?) or your network.',
      };
    }
    if (name === 'ResourceNotFoundException') {
      return { code: name, message: error.message || 'secret not found' };
    }
    if (name === 'CredentialsProviderError' || (name === 'Error' && /region/i.test(error.message))) {
      return {
        code: name,
        message: error.message,
        hint: 'Configure AWS credentials and a region (AWS_PROFILE, AWS_REGION), or pass --endpoint and --region.',
      };
    }
    return { code: name === 'Error' ? null : name, message: error.message };
  }
  return { code: null, message: String(error) };
}
