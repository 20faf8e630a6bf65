import { Sha256 } from '@smithy/core/checksum';
import { HttpRequest } from '@smithy/core/protocols';
import { SignatureV4 } from '@smithy/signature-v4';
import { describe, expect, it } from 'vitest';
import { createSigV4Verifier, type RequestToVerify } from '../../src/http/sigv4-verifier.ts';

const key = { accessKeyId: 'AKIAROTORUNIT0000001', secretAccessKey: 'rotor-unit-secret-access-key-0001' };
const signedAt = new Date('2026-12-03T10:00:00Z');
const verify = createSigV4Verifier({ keys: [key], region: 'us-east-1', now: () => signedAt.getTime() });
const body = JSON.stringify({ SecretId: 'x' });

/** A request signed the way the SDK signs it, for a service and region of the test's choosing. */
async function signed(
  options: { service?: string; region?: string; date?: Date } = {},
): Promise<RequestToVerify> {
  const signer = new SignatureV4({
    credentials: key,
    region: options.region ?? 'us-east-1',
    service: options.service ?? 'secretsmanager',
    sha256: Sha256,
  });
  const request = await signer.sign(
    new HttpRequest({
      method: 'POST',
      protocol: 'http:',
      hostname: '127.0.0.1',
      path: '/',
      headers: {
        host: '127.0.0.1:4566',
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': 'secretsmanager.GetSecretValue',
      },
      body,
    }),
    { signingDate: options.date ?? signedAt },
  );
  return { method: 'POST', url: '/', headers: request.headers, body };
}

const withAuthorization = async (authorization: string): Promise<RequestToVerify> => {
  const request = await signed();
  return { ...request, headers: { ...request.headers, authorization } };
};

describe('SigV4 verification', () => {
  it('accepts the signer of the SDK with a configured key', async () => {
    expect(await verify(await signed(), 'secretsmanager')).toBeUndefined();
  });

  it('refuses a malformed Authorization header with IncompleteSignature and says what is missing', async () => {
    const cases: Array<[string, RegExp]> = [
      ['Basic dXNlcjpwYXNz', /Only AWS4-HMAC-SHA256/],
      [
        'AWS4-HMAC-SHA256 Credential=AKIAROTORUNIT0000001/20261203/us-east-1/secretsmanager/aws4_request',
        /requires 'SignedHeaders' parameter\. .*requires 'Signature' parameter/,
      ],
      [
        'AWS4-HMAC-SHA256 Credential=nope, SignedHeaders=host;x-amz-date, Signature=00',
        /Credential must have the form/,
      ],
      [
        'AWS4-HMAC-SHA256 Credential=AKIAROTORUNIT0000001/20261203/us-east-1/secretsmanager/aws4_request, SignedHeaders=constructor;Host, Signature=00',
        /SignedHeaders must be lower-case header names/,
      ],
    ];
    for (const [authorization, message] of cases) {
      const refused = await verify(await withAuthorization(authorization), 'secretsmanager');
      expect(refused, authorization).toMatchObject({
        awsJson: { code: 'IncompleteSignatureException', statusCode: 400 },
        awsQuery: { code: 'IncompleteSignature', statusCode: 400 },
        message: expect.stringMatching(message),
      });
    }
    const noDate = await signed();
    delete noDate.headers['x-amz-date'];
    expect((await verify(noDate, 'secretsmanager'))?.awsJson.code).toBe('IncompleteSignatureException');
    const presigned = { ...(await signed()), url: '/?X-Amz-Signature=00&X-Amz-Credential=x' };
    expect((await verify(presigned, 'secretsmanager'))?.message).toMatch(/Presigned/);
  });

  it('refuses a signature scoped to another service or region, or dated outside 5 minutes', async () => {
    const cases: Array<[RequestToVerify, RegExp]> = [
      [await signed({ service: 'elasticache' }), /scoped to correct service: 'secretsmanager'/],
      [await signed({ region: 'eu-west-1' }), /scoped to a valid region/],
      [
        await signed({ date: new Date(signedAt.getTime() - 6 * 60_000) }),
        /^Signature expired: 20261203T095400Z is now earlier than 20261203T095500Z \(20261203T100000Z - 5 min\.\)$/,
      ],
      [await signed({ date: new Date(signedAt.getTime() + 6 * 60_000) }), /^Signature not yet current/],
    ];
    for (const [request, message] of cases) {
      expect(await verify(request, 'secretsmanager')).toMatchObject({
        awsJson: { code: 'InvalidSignatureException', statusCode: 400 },
        awsQuery: { code: 'SignatureDoesNotMatch', statusCode: 403 },
        message: expect.stringMatching(message),
      });
    }
  });

  it('refuses a changed signed header, a changed body and an unknown key id', async () => {
    const request = await signed();
    const otherTarget = {
      ...request,
      headers: { ...request.headers, 'x-amz-target': 'secretsmanager.DeleteSecret' },
    };
    expect((await verify(otherTarget, 'secretsmanager'))?.awsJson.code).toBe('InvalidSignatureException');
    const otherBody = { ...request, body: JSON.stringify({ SecretId: 'y' }) };
    expect((await verify(otherBody, 'secretsmanager'))?.awsJson.code).toBe('InvalidSignatureException');
    const unknown = createSigV4Verifier({
      keys: [{ accessKeyId: 'AKIAOTHER00000000001', secretAccessKey: key.secretAccessKey }],
      region: 'us-east-1',
      now: () => signedAt.getTime(),
    });
    expect(await unknown(request, 'secretsmanager')).toMatchObject({
      awsJson: { code: 'UnrecognizedClientException', statusCode: 400 },
      awsQuery: { code: 'InvalidClientTokenId', statusCode: 403 },
    });
  });
});
