import { definePasswordPolicy, ENGINE_CONTRACT_VERSION } from '@rotor/core/engine';
import * as z from 'zod';

/** What every sample engine in these tests shares; tests add capabilities and operations. */
export const sampleEngineBase = {
  contractVersion: ENGINE_CONTRACT_VERSION,
  engineId: 'sample',
  secretSchema: z.looseObject({ username: z.string(), password: z.string().optional() }),
  passwordPolicy: definePasswordPolicy({ length: 20, maxLength: 64 }),
  passwordsPerUser: 1,
  changeAuthority: 'credentials',
  canCloneUsers: false,
} as const;
