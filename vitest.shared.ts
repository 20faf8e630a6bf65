import { defineConfig } from 'vitest/config';

/**
 * Shared vitest settings: resolve workspace packages from source (the `@rotor/source` export condition)
 * and write a JSON report that `scripts/test-summary.mjs` adds up for CI's `N passed, N failed` line.
 */
export const sharedTestConfig = defineConfig({
  resolve: { conditions: ['@rotor/source'] },
  ssr: { resolve: { conditions: ['@rotor/source'] } },
  test: {
    // `pnpm mutation` narrows a run to the conformance kit alone (ROTOR_TEST_INCLUDE, comma-separated globs)...
    include: process.env.ROTOR_TEST_INCLUDE?.split(',') ?? ['tests/**/*.test.ts'],
    // ...or to the rest of the suite (ROTOR_TEST_EXCLUDE), for the mutants the kit left alive.
    exclude: [...(process.env.ROTOR_TEST_EXCLUDE?.split(',') ?? []), '**/node_modules/**'],
    reporters: ['default', ['json', { outputFile: 'test-results.json' }]],
    // A guard against hangs, never a speed check (speed is measured by `pnpm bench`): integration tests drive
    // real rotations through Lambda child processes and synthesize CDK apps, seconds apiece on a busy machine.
    testTimeout: 120_000,
    hookTimeout: 60_000,
  },
});
