import { join } from 'node:path';
import { engineLayoutProblems } from '@rotor/testkit';
import { expect, it } from 'vitest';

it('has the file set every engine shares (engine, operations, options, secret, index exporting only those)', () => {
  expect(engineLayoutProblems(join(import.meta.dirname, '../..'))).toEqual([]);
});
