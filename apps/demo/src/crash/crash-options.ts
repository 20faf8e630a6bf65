/**
 * `pnpm crash` flags. Bad input (an unknown scenario or mode, a malformed number) is one line on stderr and
 * exit code 2, before anything starts.
 */
import { CRASH_MODES, type CrashMode } from '@rotor/testkit/crash';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { SCENARIO_SPECS, type ScenarioSpec } from './scenarios/index.js';
import { CRASH_SUBSETS, type CrashSubset } from './subsets.js';

export interface CrashOptions {
  scenarios: ScenarioSpec[];
  modes: CrashMode[];
  subset: CrashSubset;
  concurrency: number;
  /** Print every case, not only failures. */
  verbose: boolean;
  /** Print only failing cases and the summary line (CI). */
  quiet: boolean;
  rebuild: boolean;
}

export type ParsedCrashArgs =
  | { kind: 'run'; options: CrashOptions }
  | { kind: 'list' }
  | { kind: 'exit'; code: number };

/** Scenario names or prefixes (`elasticache`, `redshift/single-user`), comma-separated. */
function scenarioList(value: string): ScenarioSpec[] {
  const chosen: ScenarioSpec[] = [];
  for (const pattern of value
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean)) {
    const matches = SCENARIO_SPECS.filter(
      (spec) => spec.name === pattern || spec.name.startsWith(`${pattern}/`),
    );
    if (matches.length === 0) {
      throw new InvalidArgumentError(`unknown scenario "${pattern}" (pnpm crash --list shows them)`);
    }
    for (const match of matches) if (!chosen.includes(match)) chosen.push(match);
  }
  if (chosen.length === 0) throw new InvalidArgumentError('no scenario given');
  return SCENARIO_SPECS.filter((spec) => chosen.includes(spec));
}

function modeList(value: string): CrashMode[] {
  const modes = value
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
  for (const mode of modes) {
    if (!(CRASH_MODES as readonly string[]).includes(mode)) {
      throw new InvalidArgumentError(`unknown mode "${mode}" (one of ${CRASH_MODES.join(', ')})`);
    }
  }
  if (modes.length === 0) throw new InvalidArgumentError('no mode given');
  return CRASH_MODES.filter((mode) => modes.includes(mode));
}

function integer(min: number, max: number) {
  return (value: string) => {
    const number = Number(value);
    if (!Number.isInteger(number) || number < min || number > max) {
      throw new InvalidArgumentError(`"${value}" is not a whole number from ${min} to ${max}`);
    }
    return number;
  };
}

export function parseCrashArgs(
  argv: readonly string[],
  output: { out: (text: string) => void; err: (text: string) => void },
): ParsedCrashArgs {
  const program = new Command('pnpm crash')
    .description(
      'The crash matrix: real rotations through the Lambda bundles on the local endpoint and throwaway servers, each external call crashed once (kill -9 of the function, a connection reset, the endpoint killed and restarted), every case checked for convergence, working AWSCURRENT logins and no lost password. Ends with "crash matrix: N points, N converged, N failed".',
    )
    .addOption(
      new Option('--scenario <list>', 'scenarios (names or prefixes such as elasticache), comma-separated')
        .argParser(scenarioList)
        .default([...SCENARIO_SPECS], 'all'),
    )
    .addOption(
      new Option('--mode <list>', `crash modes, comma-separated: ${CRASH_MODES.join(', ')}`)
        .argParser(modeList)
        .default([...CRASH_MODES], 'all'),
    )
    .addOption(
      new Option('--subset <name>', 'all points, or ci: every step of every scenario, fewer calls per step')
        .choices(CRASH_SUBSETS)
        .default('all'),
    )
    .addOption(
      new Option('--concurrency <n>', 'cases run at once per scenario').argParser(integer(1, 8)).default(2),
    )
    .option('--list', 'list the scenarios and exit', false)
    .option('--verbose', 'print every case, not only the failing ones', false)
    .option('--quiet', 'print only the failing cases and the summary line', false)
    .option('--rebuild', 'rebuild the Lambda bundles first', false)
    .exitOverride()
    .configureOutput({
      writeOut: output.out,
      writeErr: () => {},
      outputError: () => {},
    });
  try {
    program.parse(argv, { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') {
        return { kind: 'exit', code: 0 };
      }
      // "option '--scenario <list>' argument 'x' is invalid. unknown scenario ..." -> "--scenario: unknown scenario ..."
      const invalid = /^error: option '(--[\w-]+)[^']*' argument '.*' is invalid\. (.*)$/s.exec(
        error.message,
      );
      const text = invalid ? `${invalid[1]}: ${invalid[2]}` : error.message.replace(/^error: /, '');
      output.err(`pnpm crash: ${text.split('\n')[0]}\n`);
      return { kind: 'exit', code: 2 };
    }
    throw error;
  }
  const opts = program.opts<{
    scenario: ScenarioSpec[];
    mode: CrashMode[];
    subset: CrashSubset;
    concurrency: number;
    list: boolean;
    verbose: boolean;
    quiet: boolean;
    rebuild: boolean;
  }>();
  if (opts.list) return { kind: 'list' };
  return {
    kind: 'run',
    options: {
      scenarios: opts.scenario,
      modes: opts.mode,
      subset: opts.subset,
      concurrency: opts.concurrency,
      verbose: opts.verbose,
      quiet: opts.quiet && !opts.verbose,
      rebuild: opts.rebuild,
    },
  };
}
