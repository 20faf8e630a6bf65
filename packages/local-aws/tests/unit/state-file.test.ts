import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
} from '@aws-sdk/client-secrets-manager';
import { startLocalAws } from '@rotor/local-aws';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { secretsManagerClient } from '../support/clients.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'local-aws-state-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('state file', () => {
  it('keeps secrets, versions and labels across a restart', async () => {
    const stateFile = join(dir, 'nested', 'state.json');
    const first = await startLocalAws({ stateFile });
    const sm1 = secretsManagerClient(first);
    const { ARN } = await sm1.send(new CreateSecretCommand({ Name: 'kept', SecretString: 'one' }));
    await sm1.send(new PutSecretValueCommand({ SecretId: 'kept', SecretString: 'two' }));
    const before = await sm1.send(new DescribeSecretCommand({ SecretId: 'kept' }));
    sm1.destroy();
    await first.stop();
    expect(statSync(stateFile).mode & 0o777).toBe(0o600);

    const second = await startLocalAws({ stateFile });
    const sm2 = secretsManagerClient(second);
    try {
      const after = await sm2.send(new DescribeSecretCommand({ SecretId: ARN }));
      expect(after.ARN).toBe(ARN);
      expect(after.VersionIdsToStages).toEqual(before.VersionIdsToStages);
      expect(after.CreatedDate).toEqual(before.CreatedDate);
      expect((await sm2.send(new GetSecretValueCommand({ SecretId: 'kept' }))).SecretString).toBe('two');
      expect(
        (await sm2.send(new GetSecretValueCommand({ SecretId: 'kept', VersionStage: 'AWSPREVIOUS' })))
          .SecretString,
      ).toBe('one');
    } finally {
      sm2.destroy();
      await second.stop();
    }
  });

  it('refuses to start on a file that is not its own, and leaves the file alone', async () => {
    const stateFile = join(dir, 'foreign.json');
    writeFileSync(stateFile, '{"something":"else"}');
    await expect(startLocalAws({ stateFile })).rejects.toThrow(/not a local-aws state file/);
    expect(readFileSync(stateFile, 'utf8')).toBe('{"something":"else"}');
  });
});
