import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudWatchLogsClient, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import {
  AddPermissionCommand,
  CreateFunctionCommand,
  type CreateFunctionCommandInput,
  GetFunctionCommand,
  InvokeCommand,
  LambdaClient,
  UpdateFunctionConfigurationCommand,
} from '@aws-sdk/client-lambda';
import {
  CreateSecretCommand,
  RotateSecretCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { type LocalAws, startLocalAws } from '@rotor/local-aws';
import { zipSync } from 'fflate';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sdkError } from '../support/clients.ts';

/**
 * Lambda functions created through the API: bad input refused with Lambda's errors and nothing written;
 * functions and their policies kept in the state file when they change; Secrets Manager held to the policy;
 * each invocation's output in CloudWatch Logs.
 */
const ROLE = 'arn:aws:iam::123456789012:role/rotation';
const code = (files: Record<string, string>) =>
  zipSync(Object.fromEntries(Object.entries(files).map(([name, text]) => [name, Buffer.from(text)])));
const echo = code({
  'index.mjs':
    "export const handler = async (event) => { console.log('got', JSON.stringify(event)); return { echoed: event }; };\n",
});

let dir: string;
let stateFile: string;
const started: LocalAws[] = [];

async function endpoint(): Promise<{
  aws: LocalAws;
  lambda: LambdaClient;
  sm: SecretsManagerClient;
  logs: CloudWatchLogsClient;
}> {
  const aws = await startLocalAws({ stateFile });
  started.push(aws);
  const config = {
    endpoint: aws.endpoint,
    region: aws.region,
    credentials: { ...aws.credentials },
    maxAttempts: 1,
  };
  return {
    aws,
    lambda: new LambdaClient(config),
    sm: new SecretsManagerClient(config),
    logs: new CloudWatchLogsClient(config),
  };
}

const create = (overrides: Partial<CreateFunctionCommandInput> = {}) =>
  new CreateFunctionCommand({
    FunctionName: 'echo',
    Runtime: 'nodejs20.x',
    Role: ROLE,
    Handler: 'index.handler',
    Code: { ZipFile: echo },
    ...overrides,
  });

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'local-aws-lambda-'));
  stateFile = join(dir, 'state.json');
});
afterEach(async () => {
  for (const aws of started.splice(0)) await aws.stop();
  rmSync(dir, { recursive: true, force: true });
});

const written = () => ({
  state: existsSync(stateFile)
    ? (JSON.parse(readFileSync(stateFile, 'utf8')) as { lambda?: unknown }).lambda
    : undefined,
  code: existsSync(`${stateFile}.lambda-code`) ? readdirSync(`${stateFile}.lambda-code`) : [],
});

describe('Lambda API', () => {
  it('refuses bad input with Lambda error codes and writes nothing', async () => {
    const { lambda } = await endpoint();
    const refusals = [
      [
        create({ Handler: 'main.handler' }),
        'InvalidParameterValueException',
        /main\.js, main\.mjs or main\.cjs/,
      ],
      [
        create({ Code: { ZipFile: Buffer.from('not a zip') } }),
        'InvalidParameterValueException',
        /Could not unzip/,
      ],
      [create({ Runtime: 'python3.12' }), 'InvalidParameterValueException', /Node\.js functions only/],
      [create({ Role: 'not-a-role' }), 'ValidationException', /role/],
      [
        create({ Environment: { Variables: { AWS_REGION: 'x' } } }),
        'InvalidParameterValueException',
        /reserved keys.*AWS_REGION/,
      ],
      [create({ Timeout: 901 }), 'ValidationException', /between 1 and 900/],
    ] as const;
    for (const [command, name, message] of refusals) {
      const error = await sdkError(lambda.send(command));
      expect({ name: error.name, message: error.message }).toMatchObject({
        name,
        message: expect.stringMatching(message),
      });
    }
    expect(written()).toEqual({ state: undefined, code: [] });
    const missing = await sdkError(lambda.send(new InvokeCommand({ FunctionName: 'no-such-function' })));
    expect(missing).toMatchObject({ name: 'ResourceNotFoundException', status: 404 });
    expect(missing.message).toBe(
      'Function not found: arn:aws:lambda:us-east-1:123456789012:function:no-such-function',
    );
    // Negative control: the same request with the handler's file is accepted, and then written.
    await lambda.send(create());
    expect(written().code).toHaveLength(1);
  });

  it('keeps functions and their policies in the state file at every change: a second endpoint on it serves them', async () => {
    const first = await endpoint();
    await first.lambda.send(create());
    await first.lambda.send(
      new UpdateFunctionConfigurationCommand({
        FunctionName: 'echo',
        Timeout: 60,
        Environment: { Variables: { MODE: 'kept' } },
      }),
    );
    await first.lambda.send(
      new AddPermissionCommand({
        FunctionName: 'echo',
        StatementId: 'sm',
        Action: 'lambda:InvokeFunction',
        Principal: 'secretsmanager.amazonaws.com',
      }),
    );
    // No stop: what a SIGKILL would leave is what the state file holds now.
    const second = await endpoint();
    const got = await second.lambda.send(new GetFunctionCommand({ FunctionName: 'echo' }));
    expect(got.Configuration).toMatchObject({
      Timeout: 60,
      Environment: { Variables: { MODE: 'kept' } },
      State: 'Active',
    });
    const invoked = await second.lambda.send(
      new InvokeCommand({ FunctionName: 'echo', Payload: Buffer.from('{"a":1}') }),
    );
    expect(JSON.parse(Buffer.from(invoked.Payload!).toString())).toEqual({ echoed: { a: 1 } });
    expect(invoked.FunctionError).toBeUndefined();
    const logs = await second.logs.send(new FilterLogEventsCommand({ logGroupName: '/aws/lambda/echo' }));
    const messages = logs.events?.map((event) => event.message ?? '') ?? [];
    expect(messages[0]).toMatch(/^START RequestId: [0-9a-f-]{36} Version: \$LATEST$/);
    expect(messages.some((message) => message.includes('got {"a":1}'))).toBe(true);
    expect(messages.at(-1)).toMatch(/^REPORT RequestId: .*\tDuration: /);
  });

  it("holds RotateSecret to the function's policy: no statement, another secret's SourceArn, then the right one", async () => {
    const { lambda, sm } = await endpoint();
    const fn = await lambda.send(create());
    const secret = await sm.send(
      new CreateSecretCommand({ Name: 'guarded', SecretString: '{"password":"p"}' }),
    );
    const rotate = () =>
      sm.send(new RotateSecretCommand({ SecretId: 'guarded', RotationLambdaARN: fn.FunctionArn }));
    expect((await sdkError(rotate())).name).toBe('AccessDeniedException');
    await lambda.send(
      new AddPermissionCommand({
        FunctionName: 'echo',
        StatementId: 'other-secret',
        Action: 'lambda:InvokeFunction',
        Principal: 'secretsmanager.amazonaws.com',
        SourceArn: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:other-*',
      }),
    );
    expect((await sdkError(rotate())).name).toBe('AccessDeniedException');
    await lambda.send(
      new AddPermissionCommand({
        FunctionName: 'echo',
        StatementId: 'this-secret',
        Action: 'lambda:InvokeFunction',
        Principal: 'secretsmanager.amazonaws.com',
        SourceArn: secret.ARN,
      }),
    );
    await expect(rotate()).resolves.toMatchObject({ ARN: secret.ARN });
  });
});
