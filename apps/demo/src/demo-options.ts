/**
 * `pnpm demo` flags. Everything has a default: with no flags the demo runs every engine and strategy on
 * throwaway servers in about a minute.
 */
import type { StrategyId } from '@rotor/core';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { type DemoEngine, STRATEGIES_BY_ENGINE } from './scenarios/scenario.js';

export interface DemoOptions {
  engines: DemoEngine[];
  /** Strategies to run, for the engines that support them. */
  strategies: StrategyId[];
  rotations: number;
  /** Pause between rotations, so the clients' logins straddle each one. */
  pauseMs: number;
  workers: number;
  intervalMs: number;
  modifyingDelayMs: number;
  redisUrl: string | undefined;
  /** PEM file that verifies the `--redis-url` server's certificate. */
  redisCaFile: string | undefined;
  postgresUrl: string | undefined;
  /** Plain lines even on a terminal. */
  plain: boolean;
  /** Also run naive client workers (cached AWSCURRENT, no recovery) for comparison. */
  compareNaive: boolean;
  reportJson: string | undefined;
  rebuild: boolean;
  /** Keep the endpoint and servers up after the report, until Ctrl+C. */
  keep: boolean;
}

const ALL_ENGINES: DemoEngine[] = ['elasticache', 'redshift'];
const ALL_STRATEGIES: StrategyId[] = ['dual-password', 'single-user', 'alternating-users'];

export type ParsedDemoArgs = { kind: 'run'; options: DemoOptions } | { kind: 'exit'; code: number };

export function parseDemoArgs(
  argv: readonly string[],
  output: { out: (text: string) => void; err: (text: string) => void },
): ParsedDemoArgs {
  const program = new Command('pnpm demo')
    .description(
      'Runs the ElastiCache and Redshift rotation workflows end to end on a local AWS endpoint (Secrets Manager, ElastiCache users, Redshift Data API) with throwaway Redis and PostgreSQL servers, while client workers keep logging in, then prints a report.',
    )
    .addOption(
      new Option('--engines <list>', 'engines to run, comma-separated')
        .argParser(listOf(ALL_ENGINES))
        .default(ALL_ENGINES, 'elasticache,redshift'),
    )
    .addOption(
      new Option('--strategies <list>', 'strategies to run where the engine supports them')
        .argParser(listOf(ALL_STRATEGIES))
        .default(ALL_STRATEGIES, 'all'),
    )
    .addOption(
      new Option('--rotations <n>', 'rotations per engine and strategy, after the first')
        .argParser(integer(1, 10_000))
        .default(4),
    )
    .addOption(
      new Option('--pause-ms <ms>', 'pause between rotations (clients keep logging in)')
        .argParser(integer(0, 600_000))
        .default(1_000),
    )
    .addOption(
      new Option('--workers <n>', 'client workers per scenario (each opens a fresh connection per login)')
        .argParser(integer(1, 64))
        .default(2),
    )
    .addOption(
      new Option('--interval-ms <ms>', "pause between one worker's logins")
        .argParser(integer(0, 60_000))
        .default(50),
    )
    .addOption(
      new Option('--modifying-delay-ms <ms>', 'how long an ElastiCache user stays "modifying" after a change')
        .argParser(integer(0, 600_000))
        .default(500),
    )
    .option(
      '--redis-url <url>',
      'use this TLS Redis (rediss://default:PASSWORD@HOST:PORT, an admin login) instead of a throwaway one',
    )
    .option('--redis-ca-file <file>', "PEM certificate that verifies --redis-url's server")
    .option(
      '--postgres-url <url>',
      'use this PostgreSQL (postgres://SUPERUSER:PASSWORD@HOST:PORT/DB) instead of a throwaway one',
    )
    .option('--plain', 'plain progress lines even on a terminal', false)
    .option(
      '--compare-naive',
      'also run naive client workers (cached AWSCURRENT, no recovery) and report their failed logins',
      false,
    )
    .option('--report-json <file>', 'also write the report as JSON to this file')
    .option(
      '--keep',
      'keep the endpoint and servers up after the report (Ctrl+C stops them) to explore with pnpm rotor',
      false,
    )
    .option('--rebuild', 'rebuild the Lambda bundles even when they are up to date', false)
    .exitOverride()
    .configureOutput({ writeOut: output.out, writeErr: output.err })
    .showHelpAfterError('(add --help for usage)');
  try {
    program.parse([...argv], { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) return { kind: 'exit', code: error.exitCode === 0 ? 0 : 2 };
    throw error;
  }
  const raw = program.opts<
    Omit<DemoOptions, 'engines' | 'strategies'> & { engines: DemoEngine[]; strategies: StrategyId[] }
  >();
  const runnable = raw.engines.filter((engine) =>
    STRATEGIES_BY_ENGINE[engine].some((s) => raw.strategies.includes(s)),
  );
  if (runnable.length === 0) {
    output.err(
      `error: none of the engines ${raw.engines.join(', ')} supports the strategies ${raw.strategies.join(', ')}\n`,
    );
    return { kind: 'exit', code: 2 };
  }
  return {
    kind: 'run',
    options: {
      engines: runnable,
      strategies: raw.strategies,
      rotations: raw.rotations,
      pauseMs: raw.pauseMs,
      workers: raw.workers,
      intervalMs: raw.intervalMs,
      modifyingDelayMs: raw.modifyingDelayMs,
      redisUrl: raw.redisUrl,
      redisCaFile: raw.redisCaFile,
      postgresUrl: raw.postgresUrl,
      plain: raw.plain,
      compareNaive: raw.compareNaive,
      reportJson: raw.reportJson,
      rebuild: raw.rebuild,
      keep: raw.keep,
    },
  };
}

function listOf<T extends string>(allowed: readonly T[]) {
  return (value: string): T[] => {
    const items = value
      .split(',')
      .map((item) => item.trim())
      .filter(Boolean);
    const unknown = items.filter((item) => !allowed.includes(item as T));
    if (items.length === 0 || unknown.length > 0) {
      throw new InvalidArgumentError(`expected a comma-separated list of ${allowed.join(', ')}`);
    }
    return [...new Set(items)] as T[];
  };
}

function integer(min: number, max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max)
      throw new InvalidArgumentError(`expected a whole number from ${min} to ${max}`);
    return n;
  };
}
