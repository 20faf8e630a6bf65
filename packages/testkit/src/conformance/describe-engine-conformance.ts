import type { EngineSecret } from '@rotor/core/engine';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { CONFORMANCE_CHECKS } from './checks.js';
import { type ConformanceSession, openConformanceSession } from './session.js';
import { ConformanceFailure, type ConformanceTarget, type EngineConformanceOptions } from './types.js';

/**
 * Registers the engine conformance suite as vitest tests: one test per check, against one target started
 * before the first and stopped after the last.
 *
 * @example
 * ```ts
 * describeEngineConformance({
 *   name: 'postgres',
 *   startTarget: () => startPostgresTarget(),
 *   createEngine: (target) => postgresEngine({ tls: 'disable', allowedHosts: [target.endpoint] }),
 *   skip: { 'wait-abort': 'ALTER ROLE applies synchronously', 'rotation-dual-password': 'one password per role' },
 * });
 * ```
 */
export function describeEngineConformance<
  TSecret extends EngineSecret,
  TTarget extends ConformanceTarget<TSecret> = ConformanceTarget<TSecret>,
>(options: EngineConformanceOptions<TSecret, TTarget>): void {
  const timeout = (options.checkTimeoutMs ?? 60_000) + 5_000;
  describe(`engine conformance: ${options.name}`, () => {
    let session: ConformanceSession<TSecret> | undefined;
    let startError: unknown;
    // A target or engine that fails to start fails every check (with the reason), rather than skipping them.
    beforeAll(async () => {
      try {
        session = await openConformanceSession(options);
      } catch (error) {
        startError = error;
      }
    }, timeout);
    afterAll(async () => {
      await session?.stop();
    });
    for (const definition of CONFORMANCE_CHECKS) {
      it(
        `${definition.id}: ${definition.title}`,
        async (context) => {
          if (!session) {
            throw new ConformanceFailure(
              `the target or the engine did not start: ${startError instanceof Error ? `${startError.name}: ${startError.message}` : String(startError)}`,
              { cause: startError },
            );
          }
          const result = await session.run(definition.id);
          if (result.status === 'skipped') context.skip(result.reason);
          if (result.status === 'failed') {
            throw result.error instanceof ConformanceFailure
              ? result.error
              : new ConformanceFailure(result.reason ?? 'failed', { cause: result.error });
          }
        },
        timeout,
      );
    }
  });
}
