import { randomUUID } from 'node:crypto';
import {
  CreateSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  ListSecretVersionIdsCommand,
  PutSecretValueCommand,
  type SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/** A Secrets Manager to run the stage cases against: the mock, local-aws, or (by hand) AWS itself. */
export interface StageSemanticsTarget {
  client: SecretsManagerClient;
  close?(): Promise<void>;
}

/**
 * Registers the staging-label cases Rotor relies on (PutSecretValue, UpdateSecretVersionStage, GetSecretValue
 * by stage and by version, ListSecretVersionIds, DescribeSecret's VersionIdsToStages) as vitest tests against
 * one target. Run against `mockSecretsManager()` and against local-aws, they keep the test model and the
 * emulator saying the same thing (decision 0110).
 */
export function describeStageSemantics(name: string, open: () => Promise<StageSemanticsTarget>): void {
  describe(`Secrets Manager stage semantics: ${name}`, () => {
    let target: StageSemanticsTarget | undefined;
    beforeAll(async () => {
      target = await open();
    });
    afterAll(async () => {
      await target?.close?.();
    });
    const sm = () => {
      if (!target) throw new Error(`the ${name} target did not start`);
      return new StageClient(target.client);
    };

    it('CreateSecret: the value is AWSCURRENT, and GetSecretValue without a selector reads it', async () => {
      const { arn, v1 } = await sm().create({ password: 'one' });
      expect(await sm().stages(arn)).toEqual({ [v1]: ['AWSCURRENT'] });
      const value = await sm().get(arn, {});
      expect(value).toMatchObject({
        VersionId: v1,
        SecretString: '{"password":"one"}',
        VersionStages: ['AWSCURRENT'],
      });
    });

    it('PutSecretValue with AWSPENDING: a new version holds the label; AWSCURRENT does not move', async () => {
      const { arn, v1 } = await sm().create({ password: 'one' });
      const v2 = token();
      await sm().put(arn, v2, 'two', ['AWSPENDING']);
      expect(await sm().stages(arn)).toEqual({ [v1]: ['AWSCURRENT'], [v2]: ['AWSPENDING'] });
      expect((await sm().get(arn, { VersionStage: 'AWSPENDING' })).SecretString).toBe('two');
      expect(await sm().get(arn, { VersionId: v2 })).toMatchObject({
        SecretString: 'two',
        VersionStages: ['AWSPENDING'],
      });
      expect((await sm().get(arn, {})).SecretString).toBe('{"password":"one"}');
    });

    it('PutSecretValue is idempotent by token for the same value and refused for another, changing nothing', async () => {
      const { arn, v1 } = await sm().create({ password: 'one' });
      const v2 = token();
      await sm().put(arn, v2, 'two', ['AWSPENDING']);
      await sm().put(arn, v2, 'two', ['AWSPENDING']);
      const refused = await sm().error(sm().put(arn, v2, 'other', ['AWSPENDING']));
      expect(refused).toBe('ResourceExistsException');
      expect(await sm().stages(arn)).toEqual({ [v1]: ['AWSCURRENT'], [v2]: ['AWSPENDING'] });
      expect((await sm().get(arn, { VersionId: v2 })).SecretString).toBe('two');
    });

    it('PutSecretValue without stages labels the version AWSCURRENT; AWSPREVIOUS follows', async () => {
      const { arn, v1 } = await sm().create({ password: 'one' });
      const v2 = token();
      await sm().put(arn, v2, 'two');
      expect(await sm().stages(arn)).toEqual({ [v1]: ['AWSPREVIOUS'], [v2]: ['AWSCURRENT'] });
    });

    it('a label lives on one version: a second AWSPENDING deprecates the first', async () => {
      const { arn, v1 } = await sm().create({ password: 'one' });
      const [v2, v3] = [token(), token()];
      await sm().put(arn, v2, 'two', ['AWSPENDING']);
      await sm().put(arn, v3, 'three', ['AWSPENDING']);
      expect(await sm().stages(arn)).toEqual({ [v1]: ['AWSCURRENT'], [v3]: ['AWSPENDING'] });
      expect(await sm().listed(arn, false)).toEqual({ [v1]: ['AWSCURRENT'], [v3]: ['AWSPENDING'] });
      expect(await sm().listed(arn, true)).toEqual({ [v1]: ['AWSCURRENT'], [v2]: [], [v3]: ['AWSPENDING'] });
    });

    it('UpdateSecretVersionStage moves AWSCURRENT only when RemoveFromVersionId names its holder', async () => {
      const { arn, v1 } = await sm().create({ password: 'one' });
      const v2 = token();
      await sm().put(arn, v2, 'two', ['AWSPENDING']);
      const refused = await sm().error(sm().move(arn, 'AWSCURRENT', { MoveToVersionId: v2 }));
      expect(refused).toBe('InvalidParameterException');
      expect(await sm().stages(arn)).toEqual({ [v1]: ['AWSCURRENT'], [v2]: ['AWSPENDING'] });

      await sm().move(arn, 'AWSCURRENT', { MoveToVersionId: v2, RemoveFromVersionId: v1 });
      // AWSPENDING stays where it was: removing it is the caller's business (Secrets Manager does it after finishSecret).
      expect(await sm().stages(arn)).toEqual({ [v1]: ['AWSPREVIOUS'], [v2]: ['AWSCURRENT', 'AWSPENDING'] });
      expect((await sm().get(arn, {})).SecretString).toBe('two');
      expect((await sm().get(arn, { VersionStage: 'AWSPREVIOUS' })).VersionId).toBe(v1);
    });

    it('moving AWSCURRENT back to the AWSPREVIOUS version swaps the two labels (rollback)', async () => {
      const { arn, v1 } = await sm().create({ password: 'one' });
      const v2 = token();
      await sm().put(arn, v2, 'two');
      await sm().move(arn, 'AWSCURRENT', { MoveToVersionId: v1, RemoveFromVersionId: v2 });
      expect(await sm().stages(arn)).toEqual({ [v1]: ['AWSCURRENT'], [v2]: ['AWSPREVIOUS'] });
    });

    it('a label is removed with RemoveFromVersionId alone, except AWSCURRENT', async () => {
      const { arn, v1 } = await sm().create({ password: 'one' });
      const v2 = token();
      await sm().put(arn, v2, 'two', ['AWSPENDING']);
      expect(await sm().error(sm().move(arn, 'AWSCURRENT', { RemoveFromVersionId: v1 }))).toBe(
        'InvalidParameterException',
      );
      expect(await sm().error(sm().move(arn, 'AWSPENDING', { RemoveFromVersionId: v1 }))).toBe(
        'InvalidParameterException',
      );
      await sm().move(arn, 'AWSPENDING', { RemoveFromVersionId: v2 });
      expect(await sm().stages(arn)).toEqual({ [v1]: ['AWSCURRENT'] });
      expect(await sm().listed(arn, true)).toEqual({ [v1]: ['AWSCURRENT'], [v2]: [] });
      // A deprecated version is still readable by its id.
      expect((await sm().get(arn, { VersionId: v2 })).SecretString).toBe('two');
    });

    it('GetSecretValue refuses a stage the version does not hold, and a stage nobody holds', async () => {
      const { arn, v1 } = await sm().create({ password: 'one' });
      expect(await sm().error(sm().get(arn, { VersionId: v1, VersionStage: 'AWSPENDING' }))).toBe(
        'InvalidRequestException',
      );
      expect(await sm().error(sm().get(arn, { VersionStage: 'AWSPENDING' }))).toBe(
        'ResourceNotFoundException',
      );
      expect(await sm().error(sm().get(arn, { VersionId: token() }))).toBe('ResourceNotFoundException');
      expect(await sm().error(sm().get(`missing-${randomUUID()}`, {}))).toBe('ResourceNotFoundException');
    });

    it('UpdateSecretVersionStage refuses a version that does not exist, changing nothing', async () => {
      const { arn, v1 } = await sm().create({ password: 'one' });
      expect(
        await sm().error(sm().move(arn, 'AWSCURRENT', { MoveToVersionId: token(), RemoveFromVersionId: v1 })),
      ).toBe('InvalidParameterException');
      expect(await sm().stages(arn)).toEqual({ [v1]: ['AWSCURRENT'] });
    });
  });
}

/** A readable ClientRequestToken of the length AWS requires. */
function token(): string {
  return randomUUID();
}

/** The handful of calls the cases make, with labels sorted so the two targets compare equal. */
class StageClient {
  constructor(readonly client: SecretsManagerClient) {}

  async create(value: unknown): Promise<{ arn: string; v1: string }> {
    const output = await this.client.send(
      new CreateSecretCommand({
        Name: `stage-semantics-${randomUUID()}`,
        SecretString: JSON.stringify(value),
      }),
    );
    return { arn: output.ARN!, v1: output.VersionId! };
  }

  async put(arn: string, versionId: string, value: string, stages?: string[]): Promise<void> {
    await this.client.send(
      new PutSecretValueCommand({
        SecretId: arn,
        ClientRequestToken: versionId,
        SecretString: value,
        ...(stages ? { VersionStages: stages } : {}),
      }),
    );
  }

  async move(
    arn: string,
    stage: string,
    ids: { MoveToVersionId?: string; RemoveFromVersionId?: string },
  ): Promise<void> {
    await this.client.send(
      new UpdateSecretVersionStageCommand({ SecretId: arn, VersionStage: stage, ...ids }),
    );
  }

  async get(arn: string, selector: { VersionId?: string; VersionStage?: string }) {
    const output = await this.client.send(new GetSecretValueCommand({ SecretId: arn, ...selector }));
    return { ...output, VersionStages: [...(output.VersionStages ?? [])].sort() };
  }

  async stages(arn: string): Promise<Record<string, string[]>> {
    const output = await this.client.send(new DescribeSecretCommand({ SecretId: arn }));
    return sortLabels(output.VersionIdsToStages ?? {});
  }

  async listed(arn: string, includeDeprecated: boolean): Promise<Record<string, string[]>> {
    const output = await this.client.send(
      new ListSecretVersionIdsCommand({ SecretId: arn, IncludeDeprecated: includeDeprecated }),
    );
    return sortLabels(
      Object.fromEntries(
        (output.Versions ?? []).map((entry) => [entry.VersionId!, entry.VersionStages ?? []]),
      ),
    );
  }

  /** The error's name; fails when the call succeeded. */
  async error(call: Promise<unknown>): Promise<string> {
    try {
      await call;
    } catch (error) {
      return (error as Error).name;
    }
    return expect.fail('the call succeeded but Secrets Manager refuses it');
  }
}

function sortLabels(map: Record<string, string[]>): Record<string, string[]> {
  return Object.fromEntries(Object.entries(map).map(([id, labels]) => [id, [...labels].sort()]));
}
