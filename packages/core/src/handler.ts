import * as z from 'zod';
import { createDefaultLogger } from './default-logger.js';
import {
  type EngineSecret,
  type RotationEngine,
  STRATEGY_IDS,
  type StepContext,
  type StrategyId,
} from './engine/contract.js';
import { assertEngineContract } from './engine/define-engine.js';
import { parseOptions } from './engine/parse-options.js';
import { runWithinDeadline } from './engine/throttling-retry.js';
import { EngineError, InvalidConfigurationError, RotationError } from './errors.js';
import type { RotorLogger } from './logger.js';
import { createDeadline, type LambdaContextLike } from './protocol/deadline.js';
import { type FunctionScope, scopeOfArn } from './protocol/function-scope.js';
import { parseRotationEvent } from './protocol/parse-event.js';
import { SecretRedactor } from './protocol/redactor.js';
import { runRotationStep, type StepResult } from './protocol/rotation-steps.js';
import type { SecretStore } from './store/secret-store.js';
import { createSecretsManagerStore } from './store/secrets-manager-store.js';
import { assertStrategySupported, type StrategyChoice } from './strategies/select-strategy.js';
import type { LoginTestPolicy } from './strategies/strategy.js';
import type { RotationEvent } from './vocabulary.js';

export interface RotationHandlerOptions<TSecret extends EngineSecret> {
  engine: RotationEngine<TSecret>;
  /** Default `auto`: alternating-users when the secret has `masterarn`, else dual-password where possible, else single-user. */
  strategy?: StrategyChoice;
  /** Default: Secrets Manager through the AWS SDK (honours AWS_ENDPOINT_URL_SECRETS_MANAGER). */
  store?: SecretStore;
  logger?: RotorLogger;
  /** `local` (default) generates passwords in the function with a CSPRNG; `secrets-manager` calls GetRandomPassword. */
  passwordSource?: 'local' | 'secrets-manager';
  /** Waits stop this long before the Lambda deadline, leaving time to report a retryable error. */
  deadlineMarginMs?: number;
  /**
   * `required` (default): testSecret fails when the engine cannot log in from here. `off` accepts such
   * rotations and logs a warning on every testSecret (ROTOR_LOGIN_TEST=off in the apps).
   */
  loginTest?: LoginTestPolicy;
  /**
   * The account and region the function acts in. Default: from the Lambda context's invokedFunctionArn;
   * outside Lambda, from the secret's own ARN.
   */
  functionScope?: FunctionScope;
  /**
   * Told which strategy a step uses, as soon as it is chosen (createSecret, setSecret, testSecret; not
   * finishSecret, which needs none). For metrics: with `auto` the choice depends on the secret.
   */
  onStrategySelected?: (strategy: StrategyId) => void;
}

export type RotationHandler = (event: unknown, context?: LambdaContextLike) => Promise<void>;

export interface RotationStepOutcome {
  step: RotationEvent['Step'];
  result: StepResult;
}

const optionsSchema = z.object({
  strategy: z.enum([...STRATEGY_IDS, 'auto']).default('auto'),
  passwordSource: z.enum(['local', 'secrets-manager']).default('local'),
  deadlineMarginMs: z.number().int().min(0).max(120_000).default(5_000),
  loginTest: z.enum(['required', 'off']).default('required'),
});

/**
 * Builds the Lambda handler for one engine. Options are validated here, at cold start; each invocation
 * validates its event, runs one step and logs the outcome once.
 *
 * @example
 * ```ts
 * export const handler = createRotationHandler({ engine: elastiCacheEngine(), logger });
 * ```
 */
export function createRotationHandler<TSecret extends EngineSecret>(
  options: RotationHandlerOptions<TSecret>,
): RotationHandler {
  const run = createRotationStepRunner(options);
  return async (event, context) => {
    await run(event, context);
  };
}

/** Like {@link createRotationHandler}, but returns what the step did (for the CLI and tests). */
export function createRotationStepRunner<TSecret extends EngineSecret>(
  options: RotationHandlerOptions<TSecret>,
): (event: unknown, context?: LambdaContextLike) => Promise<RotationStepOutcome> {
  const parsed = parseOptions(
    optionsSchema,
    {
      strategy: options.strategy,
      passwordSource: options.passwordSource,
      deadlineMarginMs: options.deadlineMarginMs,
      loginTest: options.loginTest,
    },
    'rotation handler options',
  );
  if (!options.engine) throw new InvalidConfigurationError('createRotationHandler needs an engine');
  // An engine built for another contract version (or without defineEngine) fails here, at cold start.
  assertEngineContract(options.engine);
  const { strategy, passwordSource, deadlineMarginMs, loginTest } = parsed;
  const { engine } = options;
  assertStrategySupported(engine as RotationEngine<EngineSecret>, strategy);
  const baseLogger = options.logger ?? createDefaultLogger();
  // Created lazily so that importing a handler costs no SDK client construction until first use.
  let store = options.store;

  return async (rawEvent, lambdaContext) => {
    const redactor = new SecretRedactor();
    let event: RotationEvent | undefined;
    let logger = redactor.wrap(baseLogger, { engineId: engine.engineId });
    const deadline = createDeadline(lambdaContext, deadlineMarginMs);
    try {
      event = parseRotationEvent(rawEvent);
      logger = redactor.wrap(baseLogger, {
        engineId: engine.engineId,
        step: event.Step,
        secretId: event.SecretId,
        clientRequestToken: event.ClientRequestToken,
      });
      const stepContext: StepContext = {
        step: event.Step,
        secretId: event.SecretId,
        clientRequestToken: event.ClientRequestToken,
        logger,
        signal: deadline.signal,
        remainingTimeMs: deadline.remainingTimeMs,
        functionScope: options.functionScope ?? scopeOfArn(lambdaContext?.invokedFunctionArn),
      };
      store ??= createSecretsManagerStore();
      // The step's SDK calls retry throttling until this invocation's deadline (decision 0095).
      const parsedEvent = event;
      const stepStore = store;
      const result = await runWithinDeadline(deadline, () =>
        runRotationStep(
          parsedEvent,
          {
            engine,
            store: stepStore,
            strategy,
            passwordSource,
            redactor,
            loginTest,
            onStrategySelected: options.onStrategySelected,
          },
          stepContext,
        ),
      );
      logger.info(`${event.Step} finished`, { result });
      return { step: event.Step, result };
    } catch (error) {
      const failure = RotationError.isInstance(error)
        ? error
        : new EngineError(`Engine "${engine.engineId}" failed unexpectedly: ${describe(error)}`, {
            step: event?.Step,
            cause: error,
          });
      if (failure.step === undefined && event) failure.step = event.Step;
      redactor.scrubError(failure);
      logger.error(`${event?.Step ?? 'Rotation'} failed: ${failure.message}`, {
        code: failure.code,
        retryable: failure.retryable,
      });
      throw failure;
    } finally {
      deadline.dispose();
    }
  };
}

function describe(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}
