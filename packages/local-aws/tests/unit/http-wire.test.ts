import { AwsApiError, type LocalAws, type QueryProtocolService, startLocalAws } from '@rotor/local-aws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * The wire formats byte for byte, with raw HTTP requests shaped like those the SDKs and the aws CLI send
 * (SigV4 Authorization header with a credential scope, X-Amz-Target, form bodies).
 */
const authorization = (service: string) =>
  `AWS4-HMAC-SHA256 Credential=AKIALOCALAWS00000000/20261123/us-east-1/${service}/aws4_request, SignedHeaders=host;x-amz-date, Signature=${'0'.repeat(64)}`;

/** A stand-in awsQuery service; the real ElastiCache one is tested in its own suite. */
function fakeQueryService(serviceName: string): QueryProtocolService {
  return {
    protocol: 'awsQuery',
    serviceName,
    xmlNamespace: `http://${serviceName}.example/doc/2015-02-02/`,
    async handle(action, params, context) {
      if (action === 'Echo') {
        return `<Service>${serviceName}</Service><Value>${params.get('Value') ?? ''}</Value><Region>${context.region}</Region>`;
      }
      if (action === 'Boom') throw new Error('secret detail that must not leak');
      throw new AwsApiError('UserNotFound', `User ${params.get('UserId')} not found & gone`, 404);
    },
  };
}

let aws: LocalAws;
beforeAll(async () => {
  aws = await startLocalAws({ services: [fakeQueryService('elasticache'), fakeQueryService('othersvc')] });
});
afterAll(async () => {
  await aws.stop();
});

function postJson(target: string, body: unknown) {
  return fetch(aws.endpoint, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': target,
      authorization: authorization('secretsmanager'),
      'x-amz-date': '20261123T120000Z',
    },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

function postForm(service: string | undefined, body: string) {
  return fetch(aws.endpoint, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
      ...(service ? { authorization: authorization(service) } : {}),
    },
    body,
  });
}

describe('awsJson1_1', () => {
  it('returns the output as JSON with epoch-second timestamps', async () => {
    const created = await postJson('secretsmanager.CreateSecret', { Name: 'wire/one', SecretString: 'v' });
    expect(created.status).toBe(200);
    expect(created.headers.get('content-type')).toBe('application/x-amz-json-1.1');
    expect(created.headers.get('x-amzn-requestid')).toMatch(/^[0-9a-f-]{36}$/);
    const value = (await (
      await postJson('secretsmanager.GetSecretValue', { SecretId: 'wire/one' })
    ).json()) as Record<string, unknown>;
    expect(value.SecretString).toBe('v');
    expect(typeof value.CreatedDate).toBe('number');
    expect(Math.abs((value.CreatedDate as number) - Date.now() / 1000)).toBeLessThan(60);
  });

  it('returns errors as __type + message with the x-amzn-errortype header', async () => {
    const response = await postJson('secretsmanager.DescribeSecret', { SecretId: 'wire/absent' });
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toBe('application/x-amz-json-1.1');
    expect(response.headers.get('x-amzn-errortype')).toBe('ResourceNotFoundException');
    expect(await response.json()).toEqual({
      __type: 'ResourceNotFoundException',
      message: "Secrets Manager can't find the specified secret.",
    });
  });

  it('answers an unknown operation, an unknown target and a body that is not JSON with their errors', async () => {
    const unknownOp = await postJson('secretsmanager.StealSecret', {});
    expect(unknownOp.status).toBe(400);
    expect(((await unknownOp.json()) as { __type: string }).__type).toBe('UnknownOperationException');
    const unknownTarget = await postJson('DynamoDB_20120810.ListTables', {});
    expect(((await unknownTarget.json()) as { __type: string }).__type).toBe('UnknownOperationException');
    const notJson = await postJson('secretsmanager.ListSecrets', '{nope');
    expect(notJson.status).toBe(400);
    expect(((await notJson.json()) as { __type: string }).__type).toBe('SerializationException');
  });
});

describe('awsQuery', () => {
  it('routes by the credential scope and wraps the result in the <Action>Response envelope', async () => {
    const response = await postForm('othersvc', 'Action=Echo&Version=2015-02-02&Value=hi');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/xml');
    const requestId = response.headers.get('x-amzn-requestid');
    expect(await response.text()).toBe(
      '<EchoResponse xmlns="http://othersvc.example/doc/2015-02-02/"><EchoResult><Service>othersvc</Service>' +
        `<Value>hi</Value><Region>us-east-1</Region></EchoResult><ResponseMetadata><RequestId>${requestId}</RequestId>` +
        '</ResponseMetadata></EchoResponse>',
    );
    const other = await postForm('elasticache', 'Action=Echo&Version=2015-02-02');
    expect(await other.text()).toContain('<Service>elasticache</Service>');
  });

  it('serializes a service error as <ErrorResponse> with Type Sender, the code and the escaped message', async () => {
    const response = await postForm('elasticache', 'Action=DescribeUsers&UserId=bob');
    expect(response.status).toBe(404);
    const requestId = response.headers.get('x-amzn-requestid');
    expect(await response.text()).toBe(
      '<ErrorResponse xmlns="http://elasticache.example/doc/2015-02-02/"><Error><Type>Sender</Type>' +
        '<Code>UserNotFound</Code><Message>User bob not found &amp; gone</Message></Error>' +
        `<RequestId>${requestId}</RequestId></ErrorResponse>`,
    );
  });

  it('turns an unexpected failure into a 500 Receiver error without its message', async () => {
    const response = await postForm('elasticache', 'Action=Boom');
    expect(response.status).toBe(500);
    const text = await response.text();
    expect(text).toContain('<Type>Receiver</Type><Code>InternalFailure</Code>');
    expect(text).not.toContain('secret detail');
  });

  it('refuses a request signed for a service the endpoint does not serve, or one without an Action', async () => {
    const unknown = await postForm('sqs', 'Action=ListQueues');
    expect(unknown.status).toBe(400);
    expect(await unknown.text()).toContain('<Code>InvalidAction</Code>');
    const noAction = await postForm('elasticache', 'Version=2015-02-02');
    expect(await noAction.text()).toContain('<Code>MissingAction</Code>');
  });

  it('counts awsQuery calls per service and action', async () => {
    aws.resetApiCalls();
    await postForm('elasticache', 'Action=Echo');
    await postForm('elasticache', 'Action=Echo');
    await postForm('othersvc', 'Action=Echo');
    expect(aws.apiCalls()).toEqual({ elasticache: { Echo: 2 }, othersvc: { Echo: 1 } });
  });
});

it('GET / reports the mounted services', async () => {
  const response = await fetch(aws.endpoint);
  expect(await response.json()).toEqual({
    status: 'running',
    services: ['secretsmanager', 'lambda', 'logs', 'elasticache', 'othersvc'],
  });
});
