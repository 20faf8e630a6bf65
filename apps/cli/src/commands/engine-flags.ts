import type { StrategyChoice } from '@rotor/core';
import { type Command, Option } from 'commander';
import { ENGINE_IDS, type EngineId, parseEngineOptions } from '../engines.js';

export const STRATEGY_CHOICES = ['auto', 'single-user', 'dual-password', 'alternating-users'] as const;

/** The flags every command that drives an engine takes. */
export interface EngineFlags {
  engine: EngineId;
  strategy: StrategyChoice;
  engineOptions?: Record<string, unknown>;
  verbose: boolean;
}

/** Adds --engine, --strategy, --engine-options and --verbose to `command`. */
export function withEngineFlags(command: Command, strategyHelp: string): Command {
  return command
    .addOption(
      new Option('--engine <engine>', 'the engine the secret belongs to')
        .choices(ENGINE_IDS)
        .makeOptionMandatory(),
    )
    .addOption(new Option('--strategy <strategy>', strategyHelp).choices(STRATEGY_CHOICES).default('auto'))
    .option(
      '--engine-options <json>',
      'the engine factory\'s options as a JSON object (see the engine\'s README), e.g. \'{"pg":{"tls":"disable"}}\'',
      parseEngineOptions,
    )
    .option('--verbose', 'print the debug lines of core and the engine', false);
}
