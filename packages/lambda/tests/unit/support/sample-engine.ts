import { ENGINE_CONTRACT_VERSION } from '@rotor/core/engine';
import * as z from 'zod';

/** What every sample engine in these tests shares; tests add capabilities and operations. */
export const sampleEngineBase = {
  contractVersion: ENGINE_CONTRACT_VERSION,
  engineId: 'sample',
  secretSchema: z.looseObject({ username: z.string(), password: z.string().optional() }),
  passwordPolicy: {
    length: 20,
    minLength: 8,
    maxLength: 64,
    excludeCharacters: '',
    excludeUppercase: false,
    excludeLowercase: false,
    excludeNumbers: false,
    excludePunctuation: false,
    includeSpace: false,
    requireEachIncludedType: true,
  },
} as const;
