import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import type { CommandContext } from '../command-context.js';
import { EXIT_CODES } from '../exit-codes.js';

/**
 * `rotor local-aws [options]` runs @rotor/local-aws's own CLI with the same options (its `--help` lists
 * them), so the two never drift apart. It runs as a child process: that CLI owns its signals and exit.
 */
export function registerLocalAwsCommand(program: Command, context: CommandContext): void {
  program
    .command('local-aws')
    .description(
      'Run the local AWS endpoint (Secrets Manager with rotation functions, ElastiCache users, Redshift Data), as `pnpm local-aws` does; options are passed on (rotor local-aws --help lists them).',
    )
    .argument('[options...]', 'options of the local-aws CLI, e.g. --port 4566 --redis-url redis://...')
    .helpOption(false)
    .allowUnknownOption()
    .action(async (args: string[], _options: unknown, command: Command) => {
      // rotor's global --region is also local-aws's own option: hand it on.
      const { region } = context.globals(command);
      context.setExitCode(await runLocalAwsCli([...args, ...(region ? ['--region', region] : [])], context));
    });
}

function localAwsCommand(): { command: string; args: string[] } {
  const packageDir = dirname(fileURLToPath(import.meta.resolve('@rotor/local-aws/package.json')));
  // From TypeScript source (pnpm rotor), run the endpoint's source too; from a build, its built bin.
  if (import.meta.url.endsWith('.ts')) {
    return {
      command: process.execPath,
      args: ['--conditions=@rotor/source', '--import', 'tsx', join(packageDir, 'src', 'cli.ts')],
    };
  }
  return { command: process.execPath, args: [join(packageDir, 'bin', 'local-aws.mjs')] };
}

function runLocalAwsCli(args: string[], context: CommandContext): Promise<number> {
  const { command, args: prefix } = localAwsCommand();
  return new Promise((resolve) => {
    const child = spawn(command, [...prefix, ...args], {
      stdio: ['inherit', 'pipe', 'pipe'],
      env: context.io.env,
    });
    child.stdout.on('data', (chunk: Buffer) => context.io.stdout(chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => context.io.stderr(chunk.toString()));
    const forward = (signal: NodeJS.Signals) => () => child.kill(signal);
    const onTerm = forward('SIGTERM');
    process.on('SIGTERM', onTerm);
    context.stopSignal.addEventListener('abort', () => child.kill('SIGINT'), { once: true });
    child.on('error', (error) => {
      context.io.stderr(`rotor local-aws: ${error.message}\n`);
      resolve(EXIT_CODES.failure);
    });
    child.on('close', (code, signal) => {
      process.off('SIGTERM', onTerm);
      resolve(code ?? (signal ? EXIT_CODES.failure : EXIT_CODES.ok));
    });
  });
}
