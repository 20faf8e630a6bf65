import {
  CreateSecretCommand,
  DeleteSecretCommand,
  DescribeSecretCommand,
  GetRandomPasswordCommand,
  GetSecretValueCommand,
  ListSecretsCommand,
  ListSecretVersionIdsCommand,
  PutSecretValueCommand,
  RestoreSecretCommand,
  type SecretsManagerClient,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateSecretCommand,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import { type LocalAws, startLocalAws } from '@rotor/local-aws';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { sdkError, secretsManagerClient, token } from '../support/clients.ts';

let aws: LocalAws;
let sm: SecretsManagerClient;
let counter = 0;
/** A fresh secret name per test, so tests don't depend on each other. */
const uniqueName = (base: string) => `${base}-${++counter}`;

beforeAll(async () => {
  aws = await startLocalAws();
  sm = secretsManagerClient(aws);
});
afterAll(async () => {
  sm.destroy();
  await aws.stop();
});

async function stagesOf(secretId: string): Promise<Record<string, string[]>> {
  const output = await sm.send(new DescribeSecretCommand({ SecretId: secretId }));
  return output.VersionIdsToStages ?? {};
}

async function createWithVersions(name: string, values: string[]): Promise<string[]> {
  await sm.send(
    new CreateSecretCommand({ Name: name, SecretString: values[0], ClientRequestToken: token('v1') }),
  );
  const ids = [token('v1')];
  for (const [index, value] of values.slice(1).entries()) {
    const id = token(`v${index + 2}`);
    await sm.send(new PutSecretValueCommand({ SecretId: name, SecretString: value, ClientRequestToken: id }));
    ids.push(id);
  }
  return ids;
}

describe('CreateSecret and lookup', () => {
  it('creates a secret whose ARN has the 6-character suffix and whose first version is AWSCURRENT', async () => {
    const name = uniqueName('app/db');
    const created = await sm.send(
      new CreateSecretCommand({ Name: name, SecretString: '{"a":1}', ClientRequestToken: token('first') }),
    );
    expect(created.ARN).toMatch(
      new RegExp(`^arn:aws:secretsmanager:us-east-1:123456789012:secret:${name}-[A-Za-z0-9]{6}$`),
    );
    expect(created.Name).toBe(name);
    expect(created.VersionId).toBe(token('first'));
    expect(await stagesOf(name)).toEqual({ [token('first')]: ['AWSCURRENT'] });
  });

  it('finds a secret by name, full ARN and partial ARN, and nothing by a wrong suffix', async () => {
    const name = uniqueName('lookup');
    const { ARN } = await sm.send(new CreateSecretCommand({ Name: name, SecretString: 'v' }));
    const partial = ARN!.slice(0, -7);
    for (const secretId of [name, ARN!, partial]) {
      const value = await sm.send(new GetSecretValueCommand({ SecretId: secretId }));
      expect(value.ARN).toBe(ARN);
      expect(value.SecretString).toBe('v');
    }
    const wrongSuffix = `${partial}-zzzzzz`;
    const error = await sdkError(sm.send(new DescribeSecretCommand({ SecretId: wrongSuffix })));
    expect(error).toMatchObject({
      name: 'ResourceNotFoundException',
      message: "Secrets Manager can't find the specified secret.",
      fault: 'client',
      status: 400,
    });
  });

  it('refuses a second secret with the same name, but repeats an identical request idempotently', async () => {
    const name = uniqueName('dup');
    const first = await sm.send(
      new CreateSecretCommand({ Name: name, SecretString: 'x', ClientRequestToken: token('dup') }),
    );
    const again = await sm.send(
      new CreateSecretCommand({ Name: name, SecretString: 'x', ClientRequestToken: token('dup') }),
    );
    expect(again).toMatchObject({ ARN: first.ARN, VersionId: token('dup') });
    const error = await sdkError(sm.send(new CreateSecretCommand({ Name: name, SecretString: 'x' })));
    expect(error).toMatchObject({
      name: 'ResourceExistsException',
      message: `The operation failed because the secret ${name} already exists.`,
    });
    const changed = await sdkError(
      sm.send(
        new CreateSecretCommand({ Name: name, SecretString: 'other', ClientRequestToken: token('dup') }),
      ),
    );
    expect(changed.name).toBe('ResourceExistsException');
    expect(changed.message).toContain(`You can't use ClientRequestToken ${token('dup')}`);
  });

  it('creates a secret without a value; its first PutSecretValue gets AWSCURRENT even when asked for AWSPENDING', async () => {
    const name = uniqueName('empty');
    const created = await sm.send(new CreateSecretCommand({ Name: name }));
    expect(created.VersionId).toBeUndefined();
    expect(await sdkError(sm.send(new GetSecretValueCommand({ SecretId: name })))).toMatchObject({
      name: 'ResourceNotFoundException',
      message: "Secrets Manager can't find the specified secret value for staging label: AWSCURRENT",
    });
    await sm.send(
      new PutSecretValueCommand({
        SecretId: name,
        SecretString: 's',
        ClientRequestToken: token('p'),
        VersionStages: ['AWSPENDING'],
      }),
    );
    expect(await stagesOf(name)).toEqual({ [token('p')]: ['AWSPENDING', 'AWSCURRENT'] });
  });

  it('rejects both SecretString and SecretBinary, an invalid name and a too short token', async () => {
    expect(
      await sdkError(
        sm.send(
          new CreateSecretCommand({
            Name: uniqueName('both'),
            SecretString: 'a',
            SecretBinary: new Uint8Array([1]),
          }),
        ),
      ),
    ).toMatchObject({ name: 'InvalidParameterException' });
    expect(await sdkError(sm.send(new CreateSecretCommand({ Name: 'bad name!' })))).toMatchObject({
      name: 'ValidationException',
    });
    const short = await sdkError(
      sm.send(
        new CreateSecretCommand({ Name: uniqueName('short'), SecretString: 'a', ClientRequestToken: 'abc' }),
      ),
    );
    expect(short.name).toBe('ValidationException');
    expect(short.message).toContain("at 'clientRequestToken' failed to satisfy constraint");
  });

  it('round-trips SecretBinary', async () => {
    const name = uniqueName('binary');
    await sm.send(new CreateSecretCommand({ Name: name, SecretBinary: new Uint8Array([0, 1, 254, 255]) }));
    const value = await sm.send(new GetSecretValueCommand({ SecretId: name }));
    expect(value.SecretString).toBeUndefined();
    expect([...(value.SecretBinary ?? [])]).toEqual([0, 1, 254, 255]);
  });
});

describe('GetSecretValue', () => {
  it('reads by stage and by version id, with CreatedDate as a Date', async () => {
    const name = uniqueName('get');
    const [v1, v2] = await createWithVersions(name, ['one', 'two']);
    const current = await sm.send(new GetSecretValueCommand({ SecretId: name }));
    expect(current).toMatchObject({ VersionId: v2, SecretString: 'two', VersionStages: ['AWSCURRENT'] });
    expect(current.CreatedDate).toBeInstanceOf(Date);
    expect(Math.abs(current.CreatedDate!.getTime() - Date.now())).toBeLessThan(60_000);
    const previous = await sm.send(
      new GetSecretValueCommand({ SecretId: name, VersionStage: 'AWSPREVIOUS' }),
    );
    expect(previous).toMatchObject({ VersionId: v1, SecretString: 'one' });
    const byId = await sm.send(
      new GetSecretValueCommand({ SecretId: name, VersionId: v1, VersionStage: 'AWSPREVIOUS' }),
    );
    expect(byId.SecretString).toBe('one');
  });

  it('reports a stage that does not match the version, and unknown versions and stages', async () => {
    const name = uniqueName('mismatch');
    const [v1] = await createWithVersions(name, ['one', 'two']);
    expect(
      await sdkError(
        sm.send(new GetSecretValueCommand({ SecretId: name, VersionId: v1, VersionStage: 'AWSCURRENT' })),
      ),
    ).toMatchObject({
      name: 'InvalidRequestException',
      message: 'You provided a VersionStage that is not associated to the provided VersionId.',
    });
    expect(
      await sdkError(sm.send(new GetSecretValueCommand({ SecretId: name, VersionId: token('nope') }))),
    ).toMatchObject({
      name: 'ResourceNotFoundException',
      message: `Secrets Manager can't find the specified secret value for VersionId: ${token('nope')}`,
    });
    expect(
      await sdkError(sm.send(new GetSecretValueCommand({ SecretId: name, VersionStage: 'AWSPENDING' }))),
    ).toMatchObject({
      name: 'ResourceNotFoundException',
      message: "Secrets Manager can't find the specified secret value for staging label: AWSPENDING",
    });
  });
});

describe('PutSecretValue', () => {
  it('moves AWSCURRENT to the new version and AWSPREVIOUS to the old one; the third version deprecates the first', async () => {
    const name = uniqueName('put');
    const [v1, v2, v3] = await createWithVersions(name, ['1', '2', '3']);
    expect(await stagesOf(name)).toEqual({ [v3!]: ['AWSCURRENT'], [v2!]: ['AWSPREVIOUS'] });
    const listed = await sm.send(new ListSecretVersionIdsCommand({ SecretId: name }));
    expect(listed.Versions?.map((v) => v.VersionId).sort()).toEqual([v2, v3].sort());
    const all = await sm.send(new ListSecretVersionIdsCommand({ SecretId: name, IncludeDeprecated: true }));
    const deprecated = all.Versions?.find((v) => v.VersionId === v1);
    expect(deprecated).toBeDefined();
    expect(deprecated?.VersionStages).toBeUndefined();
    expect(all.Versions).toHaveLength(3);
    // A deprecated version is still readable by id.
    expect((await sm.send(new GetSecretValueCommand({ SecretId: name, VersionId: v1 }))).SecretString).toBe(
      '1',
    );
  });

  it('is idempotent by ClientRequestToken: same value is a no-op, a different value is refused', async () => {
    const name = uniqueName('idem');
    await createWithVersions(name, ['1']);
    const put = () =>
      sm.send(
        new PutSecretValueCommand({ SecretId: name, SecretString: 'new', ClientRequestToken: token('same') }),
      );
    const first = await put();
    const second = await put();
    expect(second).toMatchObject({ VersionId: first.VersionId, VersionStages: ['AWSCURRENT'] });
    const versions = await sm.send(
      new ListSecretVersionIdsCommand({ SecretId: name, IncludeDeprecated: true }),
    );
    expect(versions.Versions).toHaveLength(2);
    const error = await sdkError(
      sm.send(
        new PutSecretValueCommand({
          SecretId: name,
          SecretString: 'different',
          ClientRequestToken: token('same'),
        }),
      ),
    );
    const { ARN } = await sm.send(new DescribeSecretCommand({ SecretId: name }));
    expect(error).toMatchObject({
      name: 'ResourceExistsException',
      message: `You can't use ClientRequestToken ${token('same')} because that value is already in use for a version of secret ${ARN}.`,
    });
    expect((await sm.send(new GetSecretValueCommand({ SecretId: name }))).SecretString).toBe('new');
  });

  it('puts an AWSPENDING version without touching AWSCURRENT, and moves AWSPENDING off its old version', async () => {
    const name = uniqueName('pending');
    const [v1] = await createWithVersions(name, ['1']);
    const put = (label: string, value: string) =>
      sm.send(
        new PutSecretValueCommand({
          SecretId: name,
          SecretString: value,
          ClientRequestToken: token(label),
          VersionStages: ['AWSPENDING'],
        }),
      );
    expect((await put('p1', 'a')).VersionStages).toEqual(['AWSPENDING']);
    await put('p2', 'b');
    expect(await stagesOf(name)).toEqual({ [v1!]: ['AWSCURRENT'], [token('p2')]: ['AWSPENDING'] });
  });

  it('refuses a call without a value and a secret that does not exist', async () => {
    const name = uniqueName('novalue');
    await createWithVersions(name, ['1']);
    expect(await sdkError(sm.send(new PutSecretValueCommand({ SecretId: name })))).toMatchObject({
      name: 'InvalidParameterException',
    });
    expect(
      await sdkError(
        sm.send(new PutSecretValueCommand({ SecretId: uniqueName('missing'), SecretString: 'x' })),
      ),
    ).toMatchObject({ name: 'ResourceNotFoundException' });
  });
});

describe('UpdateSecretVersionStage: label moves', () => {
  let name: string;
  let v1: string;
  let v2: string;
  let v3: string;
  beforeEach(async () => {
    name = uniqueName('stages');
    [v1, v2] = (await createWithVersions(name, ['1', '2'])) as [string, string];
    v3 = token('v3');
    await sm.send(
      new PutSecretValueCommand({
        SecretId: name,
        SecretString: '3',
        ClientRequestToken: v3,
        VersionStages: ['AWSPENDING'],
      }),
    );
    // Start state of every case: v1 AWSPREVIOUS, v2 AWSCURRENT, v3 AWSPENDING.
  });

  const move = (input: { stage: string; to?: string; from?: string }) =>
    sm.send(
      new UpdateSecretVersionStageCommand({
        SecretId: name,
        VersionStage: input.stage,
        ...(input.to ? { MoveToVersionId: input.to } : {}),
        ...(input.from ? { RemoveFromVersionId: input.from } : {}),
      }),
    );

  const cases: Array<{
    title: string;
    moves: (ids: {
      v1: string;
      v2: string;
      v3: string;
    }) => Array<{ stage: string; to?: string; from?: string }>;
    expected: (ids: { v1: string; v2: string; v3: string }) => Record<string, string[]>;
  }> = [
    {
      title: 'finishSecret: AWSCURRENT to the pending version; AWSPENDING stays on it, AWSPREVIOUS follows',
      moves: ({ v2, v3 }) => [{ stage: 'AWSCURRENT', to: v3, from: v2 }],
      expected: ({ v2, v3 }) => ({ [v3]: ['AWSPENDING', 'AWSCURRENT'], [v2]: ['AWSPREVIOUS'] }),
    },
    {
      title: 'rollback: AWSCURRENT back to the AWSPREVIOUS version swaps the two',
      moves: ({ v1, v2 }) => [{ stage: 'AWSCURRENT', to: v1, from: v2 }],
      expected: ({ v1, v2, v3 }) => ({ [v1]: ['AWSCURRENT'], [v2]: ['AWSPREVIOUS'], [v3]: ['AWSPENDING'] }),
    },
    {
      title: 'removing AWSPENDING deprecates its version',
      moves: ({ v3 }) => [{ stage: 'AWSPENDING', from: v3 }],
      expected: ({ v1, v2 }) => ({ [v1]: ['AWSPREVIOUS'], [v2]: ['AWSCURRENT'] }),
    },
    {
      title: 'a custom label is added to the existing labels, then moved with RemoveFromVersionId',
      moves: ({ v2, v3 }) => [
        { stage: 'BLUE', to: v2 },
        { stage: 'BLUE', to: v3, from: v2 },
      ],
      expected: ({ v1, v2, v3 }) => ({
        [v1]: ['AWSPREVIOUS'],
        [v2]: ['AWSCURRENT'],
        [v3]: ['AWSPENDING', 'BLUE'],
      }),
    },
    {
      title: 'moving a label onto the version that has it is a no-op',
      moves: ({ v2 }) => [{ stage: 'AWSCURRENT', to: v2 }],
      expected: ({ v1, v2, v3 }) => ({ [v1]: ['AWSPREVIOUS'], [v2]: ['AWSCURRENT'], [v3]: ['AWSPENDING'] }),
    },
    {
      title: 'two rotations in a row: the first version ends deprecated',
      moves: ({ v2, v3 }) => [
        { stage: 'AWSCURRENT', to: v3, from: v2 },
        { stage: 'AWSPENDING', from: v3 },
      ],
      expected: ({ v2, v3 }) => ({ [v3]: ['AWSCURRENT'], [v2]: ['AWSPREVIOUS'] }),
    },
  ];

  for (const testCase of cases) {
    it(testCase.title, async () => {
      for (const step of testCase.moves({ v1, v2, v3 })) await move(step);
      expect(await stagesOf(name)).toEqual(testCase.expected({ v1, v2, v3 }));
    });
  }

  it('refuses to move AWSCURRENT without RemoveFromVersionId, naming the version that has it', async () => {
    const error = await sdkError(move({ stage: 'AWSCURRENT', to: v3 }));
    expect(error).toMatchObject({
      name: 'InvalidParameterException',
      message: `The parameter RemoveFromVersionId can't be empty. Staging label AWSCURRENT is currently attached to version ${v2}, so you must explicitly reference that version in RemoveFromVersionId.`,
    });
    expect(await stagesOf(name)).toEqual({
      [v1]: ['AWSPREVIOUS'],
      [v2]: ['AWSCURRENT'],
      [v3]: ['AWSPENDING'],
    });
  });

  it('refuses a RemoveFromVersionId that does not carry the label, and any attached label moved without it', async () => {
    expect((await sdkError(move({ stage: 'AWSCURRENT', to: v3, from: v1 }))).name).toBe(
      'InvalidParameterException',
    );
    expect((await sdkError(move({ stage: 'AWSPENDING', to: v1 }))).name).toBe('InvalidParameterException');
    expect((await sdkError(move({ stage: 'AWSCURRENT', to: token('unknown'), from: v2 }))).name).toBe(
      'InvalidParameterException',
    );
    expect(await stagesOf(name)).toEqual({
      [v1]: ['AWSPREVIOUS'],
      [v2]: ['AWSCURRENT'],
      [v3]: ['AWSPENDING'],
    });
  });
});

describe('UpdateSecret, TagResource, DeleteSecret, ListSecrets', () => {
  it('UpdateSecret changes the description without a new version, and a value with one', async () => {
    const name = uniqueName('update');
    const [v1] = await createWithVersions(name, ['1']);
    const described = await sm.send(new UpdateSecretCommand({ SecretId: name, Description: 'the db' }));
    expect(described.VersionId).toBeUndefined();
    const updated = await sm.send(
      new UpdateSecretCommand({ SecretId: name, SecretString: '2', ClientRequestToken: token('u2') }),
    );
    expect(updated.VersionId).toBe(token('u2'));
    const secret = await sm.send(new DescribeSecretCommand({ SecretId: name }));
    expect(secret.Description).toBe('the db');
    expect(secret.VersionIdsToStages).toEqual({ [token('u2')]: ['AWSCURRENT'], [v1!]: ['AWSPREVIOUS'] });
    expect(secret.LastChangedDate).toBeInstanceOf(Date);
  });

  it('UpdateSecret with a token already used for another value is refused and changes nothing', async () => {
    const name = uniqueName('update-conflict');
    const [v1] = await createWithVersions(name, ['1']);
    const before = await sm.send(new DescribeSecretCommand({ SecretId: name }));
    const error = await sdkError(
      sm.send(
        new UpdateSecretCommand({
          SecretId: name,
          SecretString: 'other',
          Description: 'new',
          ClientRequestToken: v1,
        }),
      ),
    );
    expect(error.name).toBe('ResourceExistsException');
    const after = await sm.send(new DescribeSecretCommand({ SecretId: name }));
    expect(after).toEqual({ ...before, $metadata: after.$metadata });
  });

  it('TagResource merges tags by key', async () => {
    const name = uniqueName('tags');
    await sm.send(
      new CreateSecretCommand({ Name: name, SecretString: 'x', Tags: [{ Key: 'team', Value: 'a' }] }),
    );
    await sm.send(
      new TagResourceCommand({
        SecretId: name,
        Tags: [
          { Key: 'team', Value: 'b' },
          { Key: 'env', Value: 'dev' },
        ],
      }),
    );
    const secret = await sm.send(new DescribeSecretCommand({ SecretId: name }));
    expect(secret.Tags).toEqual([
      { Key: 'team', Value: 'b' },
      { Key: 'env', Value: 'dev' },
    ]);
  });

  it('UntagResource removes tags by key; Description and KmsKeyId are kept and shown', async () => {
    const name = uniqueName('untag');
    await sm.send(
      new CreateSecretCommand({
        Name: name,
        SecretString: 'x',
        Description: 'about it',
        KmsKeyId: 'alias/local',
        Tags: [
          { Key: 'a', Value: '1' },
          { Key: 'b', Value: '2' },
        ],
      }),
    );
    await sm.send(new UntagResourceCommand({ SecretId: name, TagKeys: ['a', 'absent'] }));
    const secret = await sm.send(new DescribeSecretCommand({ SecretId: name }));
    expect(secret).toMatchObject({
      Description: 'about it',
      KmsKeyId: 'alias/local',
      Tags: [{ Key: 'b', Value: '2' }],
    });
  });

  it('ListSecretVersionIds pages with MaxResults and NextToken', async () => {
    const name = uniqueName('versions');
    const ids = await createWithVersions(name, ['1', '2', '3', '4']);
    const first = await sm.send(
      new ListSecretVersionIdsCommand({ SecretId: name, IncludeDeprecated: true, MaxResults: 3 }),
    );
    expect(first.Versions?.map((v) => v.VersionId)).toEqual(ids.slice(0, 3));
    const second = await sm.send(
      new ListSecretVersionIdsCommand({
        SecretId: name,
        IncludeDeprecated: true,
        MaxResults: 3,
        NextToken: first.NextToken,
      }),
    );
    expect(second.Versions?.map((v) => v.VersionId)).toEqual(ids.slice(3));
    expect(second.NextToken).toBeUndefined();
    expect(
      (await sdkError(sm.send(new ListSecretVersionIdsCommand({ SecretId: name, NextToken: 'garbage!' }))))
        .name,
    ).toBe('InvalidNextTokenException');
  });

  it('DeleteSecret schedules deletion: reads fail, listings hide it, RestoreSecret brings it back; force deletes at once', async () => {
    const name = uniqueName('delete');
    await createWithVersions(name, ['1']);
    const deleted = await sm.send(new DeleteSecretCommand({ SecretId: name, RecoveryWindowInDays: 7 }));
    expect(deleted.DeletionDate!.getTime() - Date.now()).toBeGreaterThan(6.9 * 24 * 3600_000);
    expect(await sdkError(sm.send(new GetSecretValueCommand({ SecretId: name })))).toMatchObject({
      name: 'InvalidRequestException',
      message: "You can't perform this operation on the secret because it was marked for deletion.",
    });
    expect((await sm.send(new DescribeSecretCommand({ SecretId: name }))).DeletedDate).toBeInstanceOf(Date);
    const listed = await sm.send(new ListSecretsCommand({ Filters: [{ Key: 'name', Values: [name] }] }));
    expect(listed.SecretList).toEqual([]);
    const planned = await sm.send(
      new ListSecretsCommand({ Filters: [{ Key: 'name', Values: [name] }], IncludePlannedDeletion: true }),
    );
    expect(planned.SecretList?.map((s) => s.Name)).toEqual([name]);
    expect((await sdkError(sm.send(new CreateSecretCommand({ Name: name, SecretString: 'x' })))).name).toBe(
      'InvalidRequestException',
    );
    await sm.send(new RestoreSecretCommand({ SecretId: name }));
    expect((await sm.send(new GetSecretValueCommand({ SecretId: name }))).SecretString).toBe('1');
    expect(
      (await sdkError(sm.send(new DeleteSecretCommand({ SecretId: name, RecoveryWindowInDays: 3 })))).name,
    ).toBe('InvalidParameterException');
    await sm.send(new DeleteSecretCommand({ SecretId: name, ForceDeleteWithoutRecovery: true }));
    expect((await sdkError(sm.send(new DescribeSecretCommand({ SecretId: name })))).name).toBe(
      'ResourceNotFoundException',
    );
  });

  it('ListSecrets filters by name prefix and tag, and pages with NextToken', async () => {
    const prefix = uniqueName('list');
    for (const n of [1, 2, 3]) {
      await sm.send(
        new CreateSecretCommand({
          Name: `${prefix}/s${n}`,
          SecretString: 'x',
          Tags: [{ Key: 'n', Value: String(n) }],
        }),
      );
    }
    const page1 = await sm.send(
      new ListSecretsCommand({ Filters: [{ Key: 'name', Values: [prefix] }], MaxResults: 2 }),
    );
    expect(page1.SecretList?.map((s) => s.Name)).toEqual([`${prefix}/s1`, `${prefix}/s2`]);
    expect(page1.NextToken).toBeDefined();
    const page2 = await sm.send(
      new ListSecretsCommand({
        Filters: [{ Key: 'name', Values: [prefix] }],
        MaxResults: 2,
        NextToken: page1.NextToken,
      }),
    );
    expect(page2.SecretList?.map((s) => s.Name)).toEqual([`${prefix}/s3`]);
    expect(page2.NextToken).toBeUndefined();
    expect(page2.SecretList?.[0]?.SecretVersionsToStages).toBeDefined();
    const byTag = await sm.send(
      new ListSecretsCommand({
        Filters: [
          { Key: 'name', Values: [prefix] },
          { Key: 'tag-value', Values: ['2'] },
        ],
      }),
    );
    expect(byTag.SecretList?.map((s) => s.Name)).toEqual([`${prefix}/s2`]);
  });
});

describe('GetRandomPassword', () => {
  it('defaults to 32 characters with every character type', async () => {
    const { RandomPassword } = await sm.send(new GetRandomPasswordCommand({}));
    expect(RandomPassword).toHaveLength(32);
    expect(RandomPassword).toMatch(/[a-z]/);
    expect(RandomPassword).toMatch(/[A-Z]/);
    expect(RandomPassword).toMatch(/[0-9]/);
    expect(RandomPassword).toMatch(/[^A-Za-z0-9]/);
  });

  it('honours exclusions and length, and refuses a length below the required types', async () => {
    for (let i = 0; i < 20; i++) {
      const { RandomPassword } = await sm.send(
        new GetRandomPasswordCommand({
          PasswordLength: 40,
          ExcludePunctuation: true,
          ExcludeCharacters: 'abcABC012',
        }),
      );
      expect(RandomPassword).toMatch(/^[d-zD-Z3-9]{40}$/);
    }
    expect(await sdkError(sm.send(new GetRandomPasswordCommand({ PasswordLength: 3 })))).toMatchObject({
      name: 'InvalidParameterException',
      message: 'Password length is too short based on the required types.',
    });
    expect((await sdkError(sm.send(new GetRandomPasswordCommand({ PasswordLength: 5000 })))).name).toBe(
      'ValidationException',
    );
  });
});

describe('API call counting', () => {
  it('counts calls per service and operation, including failed ones, and resets', async () => {
    aws.resetApiCalls();
    const name = uniqueName('count');
    await sm.send(new CreateSecretCommand({ Name: name, SecretString: 'x' }));
    await sm.send(new GetSecretValueCommand({ SecretId: name }));
    await sdkError(sm.send(new GetSecretValueCommand({ SecretId: uniqueName('absent') })));
    expect(aws.apiCalls()).toEqual({ secretsmanager: { CreateSecret: 1, GetSecretValue: 2 } });
    // Direct access for tests is not an API call.
    await aws.secretsManager.call('DescribeSecret', { SecretId: name });
    expect(aws.apiCalls().secretsmanager?.DescribeSecret).toBeUndefined();
    aws.resetApiCalls();
    expect(aws.apiCalls()).toEqual({});
  });
});

describe('error paths of every operation', () => {
  const secretOperations = [
    'DescribeSecret',
    'GetSecretValue',
    'PutSecretValue',
    'UpdateSecret',
    'UpdateSecretVersionStage',
    'ListSecretVersionIds',
    'DeleteSecret',
    'RestoreSecret',
    'TagResource',
    'UntagResource',
    'RotateSecret',
    'CancelRotateSecret',
  ];
  const inputFor = (operation: string, secretId: string): Record<string, unknown> => {
    switch (operation) {
      case 'PutSecretValue':
      case 'UpdateSecret':
        return { SecretId: secretId, SecretString: 'x' };
      case 'UpdateSecretVersionStage':
        return { SecretId: secretId, VersionStage: 'BLUE', MoveToVersionId: token('x') };
      case 'TagResource':
        return { SecretId: secretId, Tags: [{ Key: 'k', Value: 'v' }] };
      case 'UntagResource':
        return { SecretId: secretId, TagKeys: ['k'] };
      default:
        return { SecretId: secretId };
    }
  };
  const post = async (operation: string, input: Record<string, unknown>) => {
    const response = await fetch(aws.endpoint, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': `secretsmanager.${operation}`,
      },
      body: JSON.stringify(input),
    });
    return {
      status: response.status,
      body: (await response.json()) as { __type?: string; message?: string },
    };
  };

  for (const operation of secretOperations) {
    it(`${operation}: an unknown secret is ResourceNotFoundException`, async () => {
      expect(await post(operation, inputFor(operation, uniqueName('nowhere')))).toEqual({
        status: 400,
        body: {
          __type: 'ResourceNotFoundException',
          message: "Secrets Manager can't find the specified secret.",
        },
      });
    });
  }

  it('operations that change or read values refuse a secret scheduled for deletion, and change nothing', async () => {
    const name = uniqueName('doomed');
    await createWithVersions(name, ['1']);
    await sm.send(new DeleteSecretCommand({ SecretId: name }));
    const before = await sm.send(new DescribeSecretCommand({ SecretId: name }));
    for (const operation of [
      'GetSecretValue',
      'PutSecretValue',
      'UpdateSecret',
      'UpdateSecretVersionStage',
      'TagResource',
      'RotateSecret',
      'CancelRotateSecret',
    ]) {
      const { status, body } = await post(operation, inputFor(operation, name));
      expect({ operation, status, type: body.__type }).toEqual({
        operation,
        status: 400,
        type: 'InvalidRequestException',
      });
    }
    const after = await sm.send(new DescribeSecretCommand({ SecretId: name }));
    expect(after).toEqual({ ...before, $metadata: after.$metadata });
  });

  it('a missing required member is a ValidationException naming it', async () => {
    expect(await post('GetSecretValue', {})).toEqual({
      status: 400,
      body: {
        __type: 'ValidationException',
        message:
          "1 validation error detected: Value null at 'secretId' failed to satisfy constraint: Member must not be null",
      },
    });
  });
});
