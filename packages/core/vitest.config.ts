import { fileURLToPath } from 'node:url';
import { mergeConfig } from 'vitest/config';
import { sharedTestConfig } from '../../vitest.shared.ts';

export default mergeConfig(sharedTestConfig, {
  resolve: {
    alias: {
      // Core cannot depend on @rotor/testkit (testkit depends on core: a cycle turbo refuses), so its tests
      // reach testkit's stage model and mock engine by name through these aliases (decision 0110).
      '@rotor/testkit/secrets-manager': fileURLToPath(
        new URL('../testkit/src/secrets-manager/index.ts', import.meta.url),
      ),
      '@rotor/testkit/mock-engine': fileURLToPath(new URL('../testkit/src/mock-engine.ts', import.meta.url)),
    },
  },
});
