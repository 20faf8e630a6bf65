import type {
  AdminSecret,
  EngineSecret,
  RotationEngine,
  StepContext,
  StrategyId,
} from '../engine/contract.js';
import { passwordSatisfiesPolicy } from '../engine/password-policy.js';
import {
  InvalidSecretError,
  InvalidVersionStageError,
  RotationAbandonedError,
  RotationError,
  RotationNotEnabledError,
  SecretStoreError,
} from '../errors.js';
import { generatePassword } from '../password/generate-password.js';
import type { SecretDescription, SecretStore, SecretVersionSummary } from '../store/secret-store.js';
import {
  recordedStrategy,
  STRATEGY_FIELD,
  type StrategyChoice,
  selectStrategy,
} from '../strategies/select-strategy.js';
import type { LoginTestPolicy, RotationStrategy, StrategyStepInput } from '../strategies/strategy.js';
import { type RotationEvent, STAGE_CURRENT, STAGE_PENDING, STAGE_PREVIOUS } from '../vocabulary.js';
import { assertArnInScope, scopeOfArn } from './function-scope.js';
import type { SecretRedactor } from './redactor.js';
import { decodeJsonObject, decodeSecret } from './secret-codec.js';

export interface StepDependencies<TSecret extends EngineSecret> {
  engine: RotationEngine<TSecret>;
  store: SecretStore;
  strategy: StrategyChoice;
  passwordSource: 'local' | 'secrets-manager';
  redactor: SecretRedactor;
  loginTest: LoginTestPolicy;
  onStrategySelected?: ((strategy: StrategyId) => void) | undefined;
}

export type StepResult = 'done' | 'already-finished';

/**
 * Runs one step of the protocol. Every step begins with the same pre-checks (as AWS's own functions do)
 * and is safe to run again after it succeeded.
 */
export async function runRotationStep<TSecret extends EngineSecret>(
  event: RotationEvent,
  deps: StepDependencies<TSecret>,
  invocationContext: StepContext,
): Promise<StepResult> {
  const description = await deps.store.describe(event.SecretId);
  const context = withFunctionScope(invocationContext, description);
  // Steps after createSecret may have changed the target: if the rotation was abandoned meanwhile (its
  // version lost AWSPENDING), they must not leave the only working password in a version without a label.
  const mayHaveChanged = event.Step !== 'createSecret';
  try {
    if (preCheck(description, event, context) === 'already-finished') return 'already-finished';
  } catch (error) {
    if (mayHaveChanged && error instanceof InvalidVersionStageError) {
      await failIfAbandoned(event, deps, context, description, error);
    }
    throw error;
  }
  let ran: RotationStrategy | undefined;
  try {
    switch (event.Step) {
      case 'createSecret':
        await createSecret(event, deps, context, description);
        break;
      case 'setSecret':
        ran = await runStrategyStep(event, deps, context, description, 'setSecret');
        break;
      case 'testSecret':
        ran = await runStrategyStep(event, deps, context, description, 'testSecret');
        break;
      case 'finishSecret':
        await finishSecret(event, deps, context, description);
        break;
    }
  } catch (error) {
    if (mayHaveChanged && !RotationAbandonedError.isAbandoned(error)) {
      await failIfAbandoned(event, deps, context, await deps.store.describe(event.SecretId), error);
    }
    throw error;
  }
  // A version that lost its label while this step ran is never driven again: the last moment to tell. After
  // setSecret always (it changed the target); after testSecret only where the strategy may have to restore a
  // labelled password: elsewhere AWSCURRENT keeps working and Secrets Manager reports the abandonment itself
  // (CloudTrail RotationAbandoned), so the call would only repeat it (decision 0093).
  if (event.Step === 'setSecret' || (event.Step === 'testSecret' && ran?.reconcileAbandoned)) {
    await failIfAbandoned(event, deps, context, await deps.store.describe(event.SecretId));
  }
  return 'done';
}

/**
 * Throws RotationAbandonedError when the rotation's version exists but carries no label any more (Secrets Manager abandons a rotation when a new version is created during it), after
 * the strategy has kept a labelled version working. Decided from Secrets Manager's labels, the version the
 * rotation wrote, and what the target accepts; returns quietly when the rotation was not abandoned.
 */
async function failIfAbandoned<TSecret extends EngineSecret>(
  event: RotationEvent,
  deps: StepDependencies<TSecret>,
  context: StepContext,
  description: SecretDescription,
  cause?: unknown,
): Promise<void> {
  const token = event.ClientRequestToken;
  // Abandoned: the version is there but lost every label (AWSPREVIOUS is a finished rotation's).
  if ((description.versionStages[token] ?? []).length > 0) return;
  const abandoned = await readSecret(deps, event.SecretId, { versionId: token }, `version ${token}`).catch(
    () => undefined,
  );
  if (!abandoned || abandoned.password === undefined) return;
  const currentVersionId = versionWithStage(description, STAGE_CURRENT);
  const current = await readSecret(
    deps,
    event.SecretId,
    byVersionIdWhereKnown(description, STAGE_CURRENT),
    'AWSCURRENT',
  ).catch(() => undefined);
  let strategy: RotationStrategy | undefined;
  try {
    // The rotation's own choice, recorded in its version; older versions: chosen as createSecret would.
    strategy =
      recordedStrategy(deps.engine, deps.strategy, abandoned, `Version ${token}`) ??
      selectStrategy(deps.engine, deps.strategy, current ?? abandoned);
  } catch {
    strategy = undefined;
  }
  let outcome: string;
  try {
    outcome = strategy?.reconcileAbandoned
      ? await strategy.reconcileAbandoned({
          engine: deps.engine,
          context,
          abandoned,
          abandonedVersionId: token,
          current,
          currentVersionId,
        })
      : 'AWSCURRENT keeps working under this strategy; the target was left as it is';
  } catch (error) {
    outcome = `restoring AWSCURRENT failed (${RotationError.isInstance(error) ? error.message : 'unexpected error'}); the password of the user may now be only in version ${token}, which has no label`;
  }
  const message =
    `The rotation of version ${token} was abandoned during ${event.Step}: the version lost AWSPENDING ` +
    `(a new version of the secret was created, and Secrets Manager abandons a rotation then). ${outcome}.`;
  context.logger.error(message, { code: 'ROTATION_ABANDONED' });
  throw new RotationAbandonedError(message, { step: event.Step, cause });
}

/**
 * Outside Lambda (the CLI, tests) there is no function ARN; the secret's own ARN, as Secrets Manager
 * reports it, then bounds what the secret may name.
 */
function withFunctionScope(context: StepContext, description: SecretDescription): StepContext {
  if (context.functionScope) return context;
  return { ...context, functionScope: scopeOfArn(description.arn) };
}

function preCheck(description: SecretDescription, event: RotationEvent, context: StepContext): StepResult {
  // Only an explicit RotationEnabled=true counts: a secret whose rotation was never turned on (no field at
  // all) must not be rotated by whoever can invoke the function.
  if (description.rotationEnabled !== true) {
    throw new RotationNotEnabledError(
      `Rotation is not enabled for secret ${description.arn} (DescribeSecret reports RotationEnabled=${String(description.rotationEnabled)}); turn it on with RotateSecret first`,
      { step: event.Step },
    );
  }
  const stages = description.versionStages[event.ClientRequestToken];
  if (!stages) {
    throw new InvalidVersionStageError(
      `Version ${event.ClientRequestToken} of secret ${description.arn} has no stage for rotation`,
      { step: event.Step },
    );
  }
  if (stages.includes(STAGE_CURRENT)) {
    context.logger.info(
      `Version ${event.ClientRequestToken} is already AWSCURRENT; ${event.Step} has nothing to do`,
    );
    return 'already-finished';
  }
  if (!stages.includes(STAGE_PENDING)) {
    throw new InvalidVersionStageError(
      `Version ${event.ClientRequestToken} of secret ${description.arn} is not AWSPENDING`,
      { step: event.Step },
    );
  }
  return 'done';
}

async function readSecret<TSecret extends EngineSecret>(
  deps: StepDependencies<TSecret>,
  secretId: string,
  selector: { versionId?: string; stage?: string },
  label: string,
): Promise<TSecret | undefined> {
  const value = await deps.store.getValue(secretId, selector);
  if (!value) return undefined;
  // Remember the raw password before validation so even a rejected secret's value is scrubbed.
  try {
    deps.redactor.rememberSecret(JSON.parse(value.secretString) as Record<string, unknown>);
  } catch {
    // Not JSON: decodeSecret reports it.
  }
  return decodeSecret(value.secretString, deps.engine.secretSchema, label);
}

/** The version that carries `stage` in this step's DescribeSecret, if any. */
function versionWithStage(description: SecretDescription, stage: string): string | undefined {
  return Object.entries(description.versionStages).find(([, labels]) => labels.includes(stage))?.[0];
}

/**
 * Reads a labelled version through the version id this step's DescribeSecret gave for the label: a read by
 * id may be answered from the store's cache (a version's value never changes, decision 0091), a read by
 * label may not. The step acts on that DescribeSecret's picture of the labels anyway (finishSecret moves
 * AWSCURRENT away from the version it named). Without the label there, by label as before.
 */
function byVersionIdWhereKnown(
  description: SecretDescription,
  stage: string,
): { versionId: string } | { stage: string } {
  const versionId = versionWithStage(description, stage);
  return versionId === undefined ? { stage } : { versionId };
}

async function readCurrent<TSecret extends EngineSecret>(
  deps: StepDependencies<TSecret>,
  event: RotationEvent,
  description: SecretDescription,
): Promise<TSecret> {
  const current = await readSecret(
    deps,
    event.SecretId,
    byVersionIdWhereKnown(description, STAGE_CURRENT),
    'AWSCURRENT',
  );
  if (!current) {
    throw new InvalidVersionStageError(`Secret ${event.SecretId} has no AWSCURRENT value to rotate from`, {
      step: event.Step,
    });
  }
  return current;
}

async function createSecret<TSecret extends EngineSecret>(
  event: RotationEvent,
  deps: StepDependencies<TSecret>,
  context: StepContext,
  description: SecretDescription,
): Promise<void> {
  const { engine, store } = deps;
  const current = await readCurrent(deps, event, description);
  const strategy = selectStrategy(engine, deps.strategy, current);
  deps.onStrategySelected?.(strategy.id);
  await engine.preflight?.({ user: current }, context);
  // A retry in a warm container knows its value already (the store's cache): no call, no new password.
  if (deps.store.cachedValue?.(event.SecretId, event.ClientRequestToken) !== undefined) {
    context.logger.info(`AWSPENDING version ${event.ClientRequestToken} already has a value; keeping it`);
    return;
  }
  const password = await newPassword(deps, context);
  deps.redactor.remember(password);
  // The strategy is chosen here, once, and recorded with the pending version (decision 0100).
  const pending = {
    ...current,
    ...strategy.pendingFields(engine, current),
    password,
    [STRATEGY_FIELD]: strategy.id,
  } as TSecret;
  const checked = engine.secretSchema.safeParse(pending);
  if (!checked.success) {
    throw new InvalidSecretError(
      `The pending secret built from AWSCURRENT does not match engine "${engine.engineId}"'s schema`,
      { step: event.Step },
    );
  }
  // Written first, read only when refused (decision 0091): PutSecretValue with this token succeeds once;
  // when a retry, or a concurrent run, finds the version already holding a value, Secrets Manager refuses
  // the other value and that version's value is kept. So the password generated here reaches neither the
  // store nor the target, and a retry never ends with a second password.
  try {
    await store.putPendingValue(event.SecretId, {
      token: event.ClientRequestToken,
      secretString: JSON.stringify(pending),
      rotationToken: event.RotationToken,
    });
  } catch (error) {
    const existing = await readSecret(
      deps,
      event.SecretId,
      { versionId: event.ClientRequestToken },
      'AWSPENDING',
    ).catch(() => undefined);
    if (!existing) throw error;
    context.logger.info(`AWSPENDING version ${event.ClientRequestToken} already has a value; keeping it`);
    return;
  }
  context.logger.info(
    `Wrote AWSPENDING version ${event.ClientRequestToken} for user "${pending.username}" (strategy ${strategy.id})`,
  );
}

async function newPassword<TSecret extends EngineSecret>(
  deps: StepDependencies<TSecret>,
  context: StepContext,
): Promise<string> {
  const policy = deps.engine.passwordPolicy;
  if (deps.passwordSource === 'local') return generatePassword(policy);
  const password = await deps.store.getRandomPassword(policy);
  deps.redactor.remember(password);
  if (!passwordSatisfiesPolicy(password, policy)) {
    throw new SecretStoreError(
      'GetRandomPassword returned a password that violates the engine password policy',
      {
        step: context.step,
      },
    );
  }
  return password;
}

/** Runs setSecret or testSecret of the strategy the rotation recorded; returns that strategy. */
async function runStrategyStep<TSecret extends EngineSecret>(
  event: RotationEvent,
  deps: StepDependencies<TSecret>,
  context: StepContext,
  description: SecretDescription,
  step: 'setSecret' | 'testSecret',
): Promise<RotationStrategy> {
  const { engine } = deps;
  const current = await readCurrent(deps, event, description);
  // The pre-check found the token labelled AWSPENDING in this step's DescribeSecret: read it by id.
  const pending = await readSecret(
    deps,
    event.SecretId,
    { versionId: event.ClientRequestToken },
    'AWSPENDING',
  );
  if (!pending) {
    throw new InvalidVersionStageError(
      `AWSPENDING version ${event.ClientRequestToken} has no value: createSecret has not run for this rotation`,
      { step: event.Step },
    );
  }
  if (pending.password === undefined) {
    throw new InvalidSecretError('The AWSPENDING secret has no password', { step: event.Step });
  }
  const strategy = rotationStrategy(deps, current, pending, context);
  deps.onStrategySelected?.(strategy.id);
  const expectedUsername =
    (strategy.pendingFields(engine, current).username as string | undefined) ?? current.username;
  if (pending.username !== expectedUsername) {
    // Confused-deputy guard: AWSPENDING must be about the user this rotation changes.
    throw new InvalidSecretError(
      `AWSPENDING names user "${pending.username}" but strategy ${strategy.id} rotating "${current.username}" expects "${expectedUsername}"`,
      { step: event.Step },
    );
  }
  if (step === 'setSecret') await engine.preflight?.({ user: current }, context);
  if (step === 'testSecret' && deps.loginTest === 'off') {
    context.logger.warn(
      'The login test is off (ROTOR_LOGIN_TEST=off): this rotation is accepted without proving that the new credentials log in',
    );
  }
  const input: StrategyStepInput<TSecret> = {
    engine,
    context,
    current,
    pending,
    loginTest: deps.loginTest,
    loadPrevious: () =>
      readSecret(deps, event.SecretId, byVersionIdWhereKnown(description, STAGE_PREVIOUS), 'AWSPREVIOUS'),
    loadAdmin: () => loadAdminSecret(deps, current, event, context),
    loadUnlabelled: () => loadUnlabelledVersions(deps, event, context),
  };
  await strategy[step](input);
  return strategy;
}

/**
 * The strategy createSecret recorded in the pending version. A pending version written by a function that
 * did not record it (an older Rotor, during an upgrade) gets the choice createSecret would make now.
 */
function rotationStrategy<TSecret extends EngineSecret>(
  deps: StepDependencies<TSecret>,
  current: TSecret,
  pending: TSecret,
  context: StepContext,
): RotationStrategy {
  const recorded = recordedStrategy(deps.engine, deps.strategy, pending, 'AWSPENDING');
  if (recorded) return recorded;
  context.logger.info(
    `AWSPENDING records no strategy (written by an older function); choosing from AWSCURRENT as createSecret does`,
  );
  return selectStrategy(deps.engine, deps.strategy, current);
}

/** How many label-less versions the recovery of an abandoned rotation looks at (the newest). */
const UNLABELLED_VERSIONS_TRIED = 3;

async function loadUnlabelledVersions<TSecret extends EngineSecret>(
  deps: StepDependencies<TSecret>,
  event: RotationEvent,
  context: StepContext,
): Promise<Array<{ versionId: string; secret: TSecret }>> {
  if (!deps.store.listVersions) return [];
  let versions: SecretVersionSummary[];
  try {
    versions = await deps.store.listVersions(event.SecretId);
  } catch (error) {
    context.logger.warn(
      `Cannot list the versions of the secret to look for an abandoned rotation's password (${RotationError.isInstance(error) ? error.message : 'unexpected error'}); give the function secretsmanager:ListSecretVersionIds`,
    );
    return [];
  }
  const unlabelled = versions
    .filter((version) => version.stages.length === 0 && version.versionId !== event.ClientRequestToken)
    .sort((a, b) => (b.createdDate?.getTime() ?? 0) - (a.createdDate?.getTime() ?? 0))
    .slice(0, UNLABELLED_VERSIONS_TRIED);
  const found: Array<{ versionId: string; secret: TSecret }> = [];
  for (const { versionId } of unlabelled) {
    const secret = await readSecret(deps, event.SecretId, { versionId }, `version ${versionId}`).catch(
      () => undefined,
    );
    if (secret) found.push({ versionId, secret });
  }
  return found;
}

async function loadAdminSecret<TSecret extends EngineSecret>(
  deps: StepDependencies<TSecret>,
  current: TSecret,
  event: RotationEvent,
  context: StepContext,
): Promise<AdminSecret> {
  const adminArn = current.masterarn;
  if (!adminArn) {
    throw new InvalidSecretError('The secret has no "masterarn" naming the admin secret', {
      step: event.Step,
    });
  }
  // The admin's credentials are the most powerful the function ever holds: only from its own account.
  assertArnInScope(adminArn, context.functionScope, {
    label: '"masterarn"',
    service: 'secretsmanager',
    step: event.Step,
  });
  // One GetSecretValue by label; the tags (a DescribeSecret) only if the engine asks for them: an admin value
  // that names its own host needs none (decision 0093).
  const value = await deps.store.getValue(adminArn, { stage: STAGE_CURRENT });
  if (!value) {
    throw new InvalidSecretError(`The admin secret ${adminArn} has no AWSCURRENT value`, {
      step: event.Step,
    });
  }
  const parsed = decodeJsonObject(value.secretString, 'admin');
  deps.redactor.rememberSecret(parsed);
  let tags: Promise<Record<string, string>> | undefined;
  return {
    secretId: adminArn,
    value: parsed,
    readTags: () => {
      tags ??= deps.store.describe(adminArn).then((description) => ({ ...description.tags }));
      return tags;
    },
  };
}

async function finishSecret<TSecret extends EngineSecret>(
  event: RotationEvent,
  deps: StepDependencies<TSecret>,
  context: StepContext,
  description: SecretDescription,
): Promise<void> {
  // The pre-check's DescribeSecret already says where AWSCURRENT is; no second call.
  const currentVersion = versionWithStage(description, STAGE_CURRENT);
  await deps.store.moveCurrentStage(event.SecretId, {
    toVersionId: event.ClientRequestToken,
    ...(currentVersion ? { fromVersionId: currentVersion } : {}),
  });
  context.logger.info(
    `Moved AWSCURRENT to version ${event.ClientRequestToken}` +
      (currentVersion ? ` from ${currentVersion}` : ''),
  );
}
