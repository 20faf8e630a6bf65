import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DescribeUsersCommand, ElastiCacheClient } from '@aws-sdk/client-elasticache';
import {
  CreateSecretCommand,
  GetSecretValueCommand,
  ListSecretsCommand,
  RotateSecretCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { type LocalAws, startLocalAws } from '@rotor/local-aws';
import { type RedisServerHandle, startRedisServer } from '@rotor/local-aws/harness';
import { Sha256 } from '@smithy/core/checksum';
import { HttpRequest } from '@smithy/core/protocols';
import { SignatureV4 } from '@smithy/signature-v4';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sdkError } from '../support/clients.ts';

/**
 * What a web page or a stranger can do to the endpoint: a cross-site form POST, DNS rebinding, unsigned or
 * wrongly signed requests under `auth: sigv4`. Each attack is made with the exact request an attacker
 * controls, and each test checks that nothing was executed, besides the refusal itself.
 */

const fixture = fileURLToPath(new URL('../fixtures/rotation-function.mjs', import.meta.url));

interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A request with any Host and Origin (fetch would not let a test choose Host). */
function rawRequest(
  port: number,
  headers: Record<string, string>,
  body: string,
  method = 'POST',
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path: '/', headers, setHost: false }, (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => {
        text += chunk.toString();
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** What a browser sends for `<form method=post action=http://127.0.0.1:4566/>` on another site. */
function formPost(port: number, body: string, extra: Record<string, string>) {
  return rawRequest(
    port,
    { host: `127.0.0.1:${port}`, 'content-type': 'application/x-www-form-urlencoded', ...extra },
    body,
  );
}

function jsonPost(port: number, target: string, input: unknown, extra: Record<string, string>) {
  return rawRequest(
    port,
    { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': target, ...extra },
    JSON.stringify(input),
  );
}

const createEvilUser = new URLSearchParams({
  Action: 'CreateUser',
  Version: '2015-02-02',
  UserId: 'evil',
  UserName: 'evil',
  Engine: 'redis',
  AccessString: 'on ~* +@all',
  NoPasswordRequired: 'true',
}).toString();

let redis: RedisServerHandle;
let admin: Redis;
let stateDir: string;
beforeAll(async () => {
  redis = await startRedisServer();
  admin = new Redis(redis.url);
  stateDir = mkdtempSync(join(tmpdir(), 'local-aws-security-'));
});
afterAll(async () => {
  admin?.disconnect();
  await redis?.stop();
  rmSync(stateDir, { recursive: true, force: true });
});

const aclUsers = async () => (await admin.call('ACL', ['USERS'])) as string[];

describe('requests from web pages and foreign host names', () => {
  let aws: LocalAws;
  beforeAll(async () => {
    aws = await startLocalAws({ elasticache: { redisUrl: redis.url } });
  });
  afterAll(async () => {
    await aws?.stop();
  });

  it('refuses a cross-site form POST (Origin: https://evil.example); no passwordless +@all user exists afterwards', async () => {
    const response = await formPost(aws.port, createEvilUser, { origin: 'https://evil.example' });
    expect(response.status).toBe(403);
    expect(response.headers['content-type']).toBe('text/xml');
    expect(response.body).toContain('<Code>AccessDenied</Code>');
    expect(response.body).toContain('Origin &quot;https://evil.example&quot;');
    expect(await aclUsers()).not.toContain('evil');
    const ec = new ElastiCacheClient({
      endpoint: aws.endpoint,
      region: aws.region,
      credentials: aws.credentials,
      maxAttempts: 1,
    });
    const { Users = [] } = await ec.send(new DescribeUsersCommand({}));
    expect(Users.map((user) => user.UserId)).not.toContain('evil');
    ec.destroy();
    expect(aws.apiCalls().elasticache?.CreateUser).toBeUndefined();

    // Other non-local origins, the opaque one included, are refused the same way.
    for (const origin of [
      'null',
      'http://127.0.0.1.evil.example',
      'file://',
      'http://localhost.evil.example:3000',
    ]) {
      expect((await formPost(aws.port, createEvilUser, { origin })).status, origin).toBe(403);
    }
    expect(await aclUsers()).not.toContain('evil');
  });

  it('serves a page of a local origin (any port), so the check is not a blanket refusal', async () => {
    const body = new URLSearchParams({
      Action: 'CreateUser',
      Version: '2015-02-02',
      UserId: 'local-page',
      UserName: 'local-page',
      Engine: 'redis',
      AccessString: 'on ~app:* +get',
      'Passwords.member.1': 'local-page-password-0001',
    }).toString();
    const response = await formPost(aws.port, body, { origin: 'http://localhost:3000' });
    expect(response.status).toBe(200);
    // The user exists in the control plane (it reaches the Redis only once in an associated user group).
    const ec = new ElastiCacheClient({
      endpoint: aws.endpoint,
      region: aws.region,
      credentials: aws.credentials,
      maxAttempts: 1,
    });
    const { Users = [] } = await ec.send(new DescribeUsersCommand({ UserId: 'local-page' }));
    ec.destroy();
    expect(Users.map((user) => user.UserId)).toEqual(['local-page']);
    expect(aws.apiCalls().elasticache?.CreateUser).toBe(1);
  });

  it('refuses a DNS-rebinding request (Host: attacker.example) for GetSecretValue and returns no value', async () => {
    const value = '{"username":"app","password":"rebinding-target-password-0001"}';
    await aws.secretsManager.call('CreateSecret', { Name: 'rebinding/target', SecretString: value });
    aws.resetApiCalls();
    const getTargetWith = (headers: Record<string, string>) =>
      jsonPost(aws.port, 'secretsmanager.GetSecretValue', { SecretId: 'rebinding/target' }, headers);

    const stolen = await getTargetWith({ host: `attacker.example:${aws.port}` });
    expect(stolen.status).toBe(403);
    expect(stolen.headers['x-amzn-errortype']).toBe('AccessDeniedException');
    expect(JSON.parse(stolen.body)).toEqual({
      __type: 'AccessDeniedException',
      message: expect.stringContaining('the Host header was "attacker.example:'),
    });
    expect(stolen.body).not.toContain('rebinding-target-password-0001');
    expect(aws.apiCalls()).toEqual({});

    // Loopback names reach it, with this port or none; anything else does not.
    for (const host of [
      `127.0.0.1:${aws.port}`,
      `localhost:${aws.port}`,
      `[::1]:${aws.port}`,
      '127.0.0.1',
      'LOCALHOST',
    ]) {
      const served = await getTargetWith({ host });
      expect(served.status, host).toBe(200);
      expect(JSON.parse(served.body).SecretString, host).toBe(value);
    }
    for (const host of [
      `127.0.0.1:${aws.port + 1}`,
      `localhost.attacker.example:${aws.port}`,
      `10.0.0.1:${aws.port}`,
      '',
    ]) {
      const refused = await getTargetWith({ host });
      expect(refused.status, host).toBe(403);
      expect(refused.body, host).not.toContain('rebinding-target-password-0001');
    }
    // Without a Host header Node's HTTP/1.1 server answers 400 itself, before the endpoint sees the request.
    const noHost = await getTargetWith({});
    expect(noHost.status).toBe(400);
    expect(noHost.body).not.toContain('rebinding-target-password-0001');
  });
});

describe('auth: sigv4', () => {
  const key = { accessKeyId: 'AKIAROTORTEST0000001', secretAccessKey: 'rotor-test-secret-access-key-0001' };
  let aws: LocalAws;
  beforeAll(async () => {
    aws = await startLocalAws({
      auth: { mode: 'sigv4', keys: [key] },
      elasticache: { redisUrl: redis.url },
      rotation: { maxAttempts: 1, retryDelayMs: 10 },
    });
  });
  afterAll(async () => {
    await aws?.stop();
  });

  const sm = (credentials = key, region = aws.region) =>
    new SecretsManagerClient({ endpoint: aws.endpoint, region, credentials, maxAttempts: 1 });
  const ec = (credentials = key) =>
    new ElastiCacheClient({ endpoint: aws.endpoint, region: aws.region, credentials, maxAttempts: 1 });
  const secretNames = async () =>
    ((await sm().send(new ListSecretsCommand({}))).SecretList ?? []).map((secret) => secret.Name);

  it('accepts the real SDK signing with a configured key, in awsJson and awsQuery', async () => {
    expect(aws.credentials).toEqual(key);
    await sm().send(new CreateSecretCommand({ Name: 'signed/one', SecretString: 'signed-value' }));
    expect((await sm().send(new GetSecretValueCommand({ SecretId: 'signed/one' }))).SecretString).toBe(
      'signed-value',
    );
    const { Users = [] } = await ec().send(new DescribeUsersCommand({}));
    expect(Users.map((user) => user.UserId)).toContain('default');
  });

  it('refuses an unsigned request in either protocol and executes nothing', async () => {
    const unsigned = await jsonPost(
      aws.port,
      'secretsmanager.CreateSecret',
      { Name: 'unsigned/one', SecretString: 'x' },
      { host: `127.0.0.1:${aws.port}` },
    );
    expect(unsigned.status).toBe(403);
    expect(JSON.parse(unsigned.body)).toEqual({
      __type: 'MissingAuthenticationTokenException',
      message: 'Request is missing Authentication Token',
    });
    const unsignedForm = await formPost(aws.port, createEvilUser, {});
    expect(unsignedForm.status).toBe(403);
    expect(unsignedForm.body).toContain('<Code>MissingAuthenticationToken</Code>');
    expect(await secretNames()).not.toContain('unsigned/one');
    expect(await aclUsers()).not.toContain('evil');
  });

  it('refuses a wrong secret key, an unknown key id and a foreign region with AWS codes', async () => {
    const wrongSecret = { ...key, secretAccessKey: 'not-the-secret-access-key-000001' };
    expect(
      await sdkError(sm(wrongSecret).send(new CreateSecretCommand({ Name: 'wrong/one', SecretString: 'x' }))),
    ).toMatchObject({ name: 'InvalidSignatureException', status: 400 });
    expect(await sdkError(ec(wrongSecret).send(new DescribeUsersCommand({})))).toMatchObject({
      name: 'SignatureDoesNotMatch',
      status: 403,
    });
    const unknownKey = { accessKeyId: 'AKIAUNKNOWN000000001', secretAccessKey: key.secretAccessKey };
    expect(await sdkError(sm(unknownKey).send(new ListSecretsCommand({})))).toMatchObject({
      name: 'UnrecognizedClientException',
      message: 'The security token included in the request is invalid.',
    });
    expect(await sdkError(ec(unknownKey).send(new DescribeUsersCommand({})))).toMatchObject({
      name: 'InvalidClientTokenId',
      status: 403,
    });
    expect(
      await sdkError(
        sm(key, 'eu-west-1').send(new CreateSecretCommand({ Name: 'wrong/two', SecretString: 'x' })),
      ),
    ).toMatchObject({ name: 'InvalidSignatureException' });
    expect(await secretNames()).not.toEqual(expect.arrayContaining(['wrong/one']));
    expect(await secretNames()).not.toContain('wrong/two');
  });

  it('refuses a signed request whose body was swapped, and a stale signature', async () => {
    const signer = new SignatureV4({
      credentials: key,
      region: aws.region,
      service: 'secretsmanager',
      sha256: Sha256,
    });
    const signed = async (body: string, signingDate: Date) =>
      (
        await signer.sign(
          new HttpRequest({
            method: 'POST',
            protocol: 'http:',
            hostname: '127.0.0.1',
            port: aws.port,
            path: '/',
            headers: {
              host: `127.0.0.1:${aws.port}`,
              'content-type': 'application/x-amz-json-1.1',
              'x-amz-target': 'secretsmanager.CreateSecret',
            },
            body,
          }),
          { signingDate },
        )
      ).headers as Record<string, string>;
    const original = JSON.stringify({ Name: 'signed/original', SecretString: 'x' });
    const swapped = JSON.stringify({ Name: 'signed/swapped', SecretString: 'x' });

    const replay = await rawRequest(aws.port, await signed(original, new Date()), swapped);
    expect(replay.status).toBe(400);
    expect(JSON.parse(replay.body).__type).toBe('InvalidSignatureException');

    const stale = await rawRequest(
      aws.port,
      await signed(original, new Date(Date.now() - 10 * 60_000)),
      original,
    );
    expect(stale.status).toBe(400);
    expect(JSON.parse(stale.body)).toMatchObject({
      __type: 'InvalidSignatureException',
      message: expect.stringMatching(/^Signature expired: \d{8}T\d{6}Z is now earlier than/),
    });
    expect(await secretNames()).not.toContain('signed/swapped');
    expect(await secretNames()).not.toContain('signed/original');

    // The control: the same signer, body and date unchanged, is served.
    const fresh = await rawRequest(aws.port, await signed(original, new Date()), original);
    expect(fresh.status).toBe(200);
    expect(await secretNames()).toContain('signed/original');
  });

  it('gives rotation functions a configured key, so their signed calls are served', async () => {
    const fn = aws.registerFunction({
      functionName: 'signed-rotation',
      bundlePath: fixture,
      keepWarm: false,
      environment: { STATE_DIR: stateDir },
    });
    const client = sm();
    await client.send(
      new CreateSecretCommand({
        Name: 'signed/rotated',
        SecretString: '{"username":"u","password":"before"}',
      }),
    );
    await client.send(
      new RotateSecretCommand({ SecretId: 'signed/rotated', RotationLambdaARN: fn.functionArn }),
    );
    const outcome = await aws.waitForRotation('signed/rotated', { timeoutMs: 30_000 });
    expect(outcome).toMatchObject({ status: 'succeeded' });
    const rotated = await client.send(new GetSecretValueCommand({ SecretId: 'signed/rotated' }));
    expect(JSON.parse(rotated.SecretString ?? '{}').password).not.toBe('before');
  });
});
