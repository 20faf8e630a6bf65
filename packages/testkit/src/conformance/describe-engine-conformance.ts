import type { EngineSecret } from '@rotor/core/engine';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { CONFORMANCE_CHECKS } from './checks.js';
import { type ConformanceSession, openConformanceSession } from './session.js';
import { ConformanceFailure, type EngineConformanceOptions } from './types.js';

/**
 * Registers the engine conformance suite as vitest tests: one test per check, against one target started
 * before the first and stopped after the last.
 *
 * @example
 * ```ts
 * describeEngineConformance({
 *   name: 'postgres',
 *   createEngine: () => postgresEngine(),
 *   startTarget: () => startPostgresTarget(),
 *   skip: { 'wait-abort': 'ALTER ROLE applies synchronously', 'rotation-dual-password': 'one password per role' },
 * });
 * ```
 */
export function describeEngineConformance<TSecret extends EngineSecret>(
  options: EngineConformanceOptions<TSecret>,
): void {
  const timeout = (options.checkTimeoutMs ?? 60_000) + 5_000;
  describe(`engine conformance: ${options.name}`, () => {
    let session: ConformanceSession<TSecret> | undefined;
    beforeAll(async () => {
      session = await openConformanceSession(options);
    }, timeout);
    afterAll(async () => {
      await session?.stop();
    });
    for (const definition of CONFORMANCE_CHECKS) {
      it(
        `${definition.id}: ${definition.title}`,
        async (context) => {
          if (!session) throw new ConformanceFailure('the target did not start');
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
