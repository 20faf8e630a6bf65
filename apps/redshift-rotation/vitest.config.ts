import { mergeConfig } from 'vitest/config';
import { sharedTestConfig } from '../../vitest.shared.ts';

export default mergeConfig(sharedTestConfig, {
  // The handler module creates its Powertools logger on import; keep test output readable.
  test: { env: { POWERTOOLS_LOG_LEVEL: 'SILENT' } },
});
