import { describeEngineConformance } from '@rotor/testkit';
import { MemoryServer, memoryEngine, memoryTarget } from './support/memory-engine.ts';

// The suite as an engine author uses it: one vitest test per check, against one target.
const server = new MemoryServer();
describeEngineConformance({
  name: 'in-memory reference engine',
  createEngine: () =>
    memoryEngine(server, {
      capabilities: { passwordsPerUser: 2, canCloneUsers: true, asyncChanges: true },
    }),
  startTarget: async () => memoryTarget(server, { holdable: true }),
  policySamples: 20,
});
