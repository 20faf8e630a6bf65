import { randomUUID } from 'node:crypto';
import { createRotationStepRunner, type StrategyChoice } from '@rotor/core';
import { type ElastiCacheEngineOptions, elastiCacheEngine } from '@rotor/engine-elasticache';
import { arnOf, FakeElastiCache } from './fake-elasticache.ts';
import { MemorySecretStore } from './memory-secret-store.ts';

export const STEPS = ['createSecret', 'setSecret', 'testSecret', 'finishSecret'] as const;

/** A logger that records every line and argument as text. */
export function capturingLogger() {
  const lines: string[] = [];
  const record =
    (level: string) =>
    (message: string, ...extra: unknown[]) =>
      lines.push(`${level} ${message} ${extra.map((item) => safeJson(item)).join(' ')}`);
  return {
    lines,
    logger: { debug: record('debug'), info: record('info'), warn: record('warn'), error: record('error') },
  };
}

function safeJson(value: unknown): string {
  if (value instanceof Error) return `${value.name}: ${value.message} ${value.stack ?? ''}`;
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}

export interface WorldOptions {
  strategy?: StrategyChoice;
  engine?: Omit<ElastiCacheEngineOptions, 'client'>;
  secret?: Record<string, unknown>;
}

/** The seed page's world: an `off` user without a password, a secret with username + user_arn. */
export function createWorld(options: WorldOptions = {}) {
  const elasticache = new FakeElastiCache();
  const store = new MemorySecretStore(options.secret ?? { username: 'user1', user_arn: arnOf('user1') });
  const { lines, logger } = capturingLogger();
  const engine = elastiCacheEngine({
    client: elasticache.client,
    initialPollDelayMs: 1,
    retryIntervalMs: 5,
    maxWaitingTimeMs: 2_000,
    ...options.engine,
  });
  const run = createRotationStepRunner({ engine, store, logger, strategy: options.strategy ?? 'auto' });
  const invoke = (Step: (typeof STEPS)[number], token: string, remainingMs?: number) =>
    run(
      { Step, SecretId: store.arn, ClientRequestToken: token },
      remainingMs === undefined ? undefined : { getRemainingTimeInMillis: () => remainingMs },
    );
  const rotate = async (token = randomUUID()) => {
    store.startRotation(token);
    for (const step of STEPS) await invoke(step, token);
    return token;
  };
  return { elasticache, store, engine, lines, logger, invoke, rotate };
}

/** Every password any version of the secret has held. */
export function allPasswords(store: MemorySecretStore): string[] {
  return [...store.versions.values()]
    .map((version) =>
      version.value ? (JSON.parse(version.value).password as string | undefined) : undefined,
    )
    .filter((password): password is string => typeof password === 'string');
}
