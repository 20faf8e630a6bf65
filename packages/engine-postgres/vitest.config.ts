import { mergeConfig } from 'vitest/config';
import { sharedTestConfig } from '../../vitest.shared.ts';

export default mergeConfig(sharedTestConfig, {
  // Starts the conformance clusters once per process under `pnpm mutation` only (see the file).
  test: { globalSetup: ['tests/integration/support/shared-servers.global.ts'] },
});
