import { describe, expect, it } from 'vitest';
import { sqlLabel } from '../../../src/crash/wire/call.ts';
import { detectProtocol } from '../../../src/crash/wire/detect.ts';
import { HttpReplyReader, HttpRequestReader } from '../../../src/crash/wire/http.ts';
import {
  PostgresConnectionState,
  PostgresReplyReader,
  PostgresRequestReader,
} from '../../../src/crash/wire/postgres.ts';
import { RedisReplyReader, RedisRequestReader } from '../../../src/crash/wire/redis.ts';

const SECRET = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:app-AbCdEf';

function jsonRequest(target: string, body: object, date = '20261203T101010Z'): Buffer {
  const text = JSON.stringify(body);
  return Buffer.from(
    `POST / HTTP/1.1\r\nhost: 127.0.0.1\r\nx-amz-target: ${target}\r\nx-amz-date: ${date}\r\ncontent-length: ${Buffer.byteLength(text)}\r\n\r\n${text}`,
  );
}

describe('HTTP requests', () => {
  it('labels awsJson by X-Amz-Target, with the stage of GetSecretValue and the other secret marked', () => {
    const reader = new HttpRequestReader(() => SECRET);
    const [own] = reader.feed(
      jsonRequest('secretsmanager.GetSecretValue', { SecretId: SECRET, VersionStage: 'AWSPENDING' }),
    );
    const [admin] = reader.feed(jsonRequest('secretsmanager.GetSecretValue', { SecretId: 'arn:other' }));
    const [sql] = reader.feed(
      jsonRequest('RedshiftData.ExecuteStatement', { Sql: "ALTER USER app PASSWORD 'md5abc'" }),
    );
    expect(own?.label).toBe('secretsmanager GetSecretValue(AWSPENDING)');
    expect(admin?.label).toBe('secretsmanager GetSecretValue(other secret, AWSCURRENT)');
    expect(sql?.label).toBe('redshift-data ExecuteStatement(ALTER USER)');
    expect(sql?.label).not.toContain('md5abc');
  });

  it('labels awsQuery by Action and the signing service, and waits for a body split across writes', () => {
    const reader = new HttpRequestReader();
    const body = 'Action=ModifyUser&UserId=app&Passwords.member.1=secret-value';
    const head = `POST / HTTP/1.1\r\nauthorization: AWS4-HMAC-SHA256 Credential=AKIA/20261203/us-east-1/elasticache/aws4_request, SignedHeaders=host\r\ncontent-type: application/x-www-form-urlencoded\r\ncontent-length: ${body.length}\r\n\r\n`;
    expect(reader.feed(Buffer.from(head))).toEqual([]);
    expect(reader.partial).toBe(true);
    const [request] = reader.feed(Buffer.from(body));
    expect(request?.label).toBe('elasticache ModifyUser');
    expect(reader.partial).toBe(false);
  });

  it('gives identical requests (a poll) the same fingerprint whatever their date, and others a different one', () => {
    const reader = new HttpRequestReader();
    const [a] = reader.feed(
      jsonRequest('secretsmanager.DescribeSecret', { SecretId: SECRET }, '20261203T000000Z'),
    );
    const [b] = reader.feed(
      jsonRequest('secretsmanager.DescribeSecret', { SecretId: SECRET }, '20261203T000001Z'),
    );
    const [c] = reader.feed(jsonRequest('secretsmanager.DescribeSecret', { SecretId: 'other' }));
    expect(a?.fingerprint).toBe(b?.fingerprint);
    expect(c?.fingerprint).not.toBe(a?.fingerprint);
  });

  it('counts responses with a length, chunked, split, and not a 100 Continue', () => {
    const reader = new HttpReplyReader();
    expect(reader.feed(Buffer.from('HTTP/1.1 100 Continue\r\n\r\n'))).toBe(0);
    expect(reader.feed(Buffer.from('HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\nab'))).toBe(0);
    expect(reader.feed(Buffer.from('cde'))).toBe(1);
    const chunked = 'HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n';
    expect(reader.feed(Buffer.from(chunked + chunked))).toBe(2);
  });
});

describe('RESP', () => {
  it('labels commands by name (and the subcommand of ACL), never their arguments', () => {
    const reader = new RedisRequestReader();
    const auth = '*3\r\n$4\r\nAUTH\r\n$3\r\napp\r\n$12\r\nsecret-value\r\n';
    const acl = '*3\r\n$3\r\nacl\r\n$7\r\ngetuser\r\n$3\r\napp\r\n';
    const requests = reader.feed(Buffer.from(auth + acl.slice(0, 10)));
    expect(requests.map((r) => r.label)).toEqual(['redis AUTH']);
    expect(reader.partial).toBe(true);
    expect(reader.feed(Buffer.from(acl.slice(10))).map((r) => r.label)).toEqual(['redis ACL GETUSER']);
    expect(requests[0]?.fingerprint).toBeUndefined();
  });

  it('counts one reply per command, nested arrays and errors included', () => {
    const reader = new RedisReplyReader();
    expect(reader.feed(Buffer.from('+OK\r\n-WRONGPASS invalid\r\n*2\r\n$5\r\nflags\r\n*1\r\n$2\r\non'))).toBe(
      2,
    );
    expect(reader.feed(Buffer.from('\r\n:1\r\n'))).toBe(2);
  });
});

describe('PostgreSQL', () => {
  function message(type: string, body: Buffer): Buffer {
    const head = Buffer.alloc(5);
    head.write(type, 0, 'latin1');
    head.writeInt32BE(body.length + 4, 1);
    return Buffer.concat([head, body]);
  }
  const startup = () => {
    const body = Buffer.from('user\0app\0database\0postgres\0\0');
    const head = Buffer.alloc(8);
    head.writeInt32BE(body.length + 8, 0);
    head.writeInt32BE(196_608, 4);
    return Buffer.concat([head, body]);
  };

  it('counts a login (through its password message) and each query, labelled by SQL keywords', () => {
    const state = new PostgresConnectionState();
    const requests = new PostgresRequestReader(state);
    const replies = new PostgresReplyReader(state);
    expect(requests.feed(startup()).map((r) => r.label)).toEqual(['pg login']);
    expect(replies.feed(message('R', Buffer.from([0, 0, 0, 10])))).toBe(0);
    expect(requests.feed(message('p', Buffer.from('SCRAM-SHA-256\0')))).toEqual([]);
    expect(replies.feed(Buffer.concat([message('R', Buffer.alloc(4)), message('Z', Buffer.from('I'))]))).toBe(
      1,
    );
    expect(
      requests
        .feed(message('Q', Buffer.from("ALTER ROLE app PASSWORD 'SCRAM-SHA-256$x'\0")))
        .map((r) => r.label),
    ).toEqual(['pg ALTER ROLE']);
    const parse = message('P', Buffer.from('\0SELECT rolname FROM pg_roles WHERE rolname = $1\0\0\0'));
    expect(requests.feed(Buffer.concat([parse, message('B', Buffer.alloc(4))]))).toEqual([]);
    expect(requests.partial).toBe(true);
    expect(requests.feed(message('S', Buffer.alloc(0))).map((r) => r.label)).toEqual(['pg SELECT']);
    expect(
      replies.feed(
        Buffer.concat([message('C', Buffer.from('ALTER ROLE\0')), message('Z', Buffer.from('I'))]),
      ),
    ).toBe(1);
  });

  it('ends a refused login at its ErrorResponse, and stops reading a connection handed to TLS', () => {
    const state = new PostgresConnectionState();
    const requests = new PostgresRequestReader(state);
    const replies = new PostgresReplyReader(state);
    requests.feed(startup());
    expect(replies.feed(message('E', Buffer.from('SFATAL\0C28P01\0\0')))).toBe(1);

    const tls = new PostgresConnectionState();
    const sslRequest = Buffer.alloc(8);
    sslRequest.writeInt32BE(8, 0);
    sslRequest.writeInt32BE(80_877_103, 4);
    expect(new PostgresRequestReader(tls).feed(sslRequest)).toEqual([]);
    expect(new PostgresReplyReader(tls).feed(Buffer.from('S'))).toBe(0);
    expect(tls.opaque).toBe(true);
  });
});

describe('protocol detection and SQL labels', () => {
  it('follows HTTP, RESP and PostgreSQL, and nothing else', () => {
    expect(detectProtocol(Buffer.from('POST / HTTP/1.1\r\n'), () => undefined)?.protocol).toBe('http');
    expect(detectProtocol(Buffer.from('*1\r\n$4\r\nPING\r\n'), () => undefined)?.protocol).toBe('redis');
    const startup = Buffer.alloc(8);
    startup.writeInt32BE(8, 0);
    startup.writeInt32BE(196_608, 4);
    expect(detectProtocol(startup, () => undefined)?.protocol).toBe('postgres');
    expect(detectProtocol(Buffer.from('\x16\x03\x01 TLS hello'), () => undefined)).toBeUndefined();
  });

  it('keeps only leading keywords', () => {
    expect(sqlLabel("  create user app_clone password 'md5...'")).toBe('CREATE USER');
    expect(sqlLabel('SELECT quote_ident($1)')).toBe('SELECT');
    expect(sqlLabel('(SELECT 1)')).toBe('statement');
  });
});
