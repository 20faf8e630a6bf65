import { describe, expect, it } from 'vitest';
import { awsClientConfig, isLoopbackEndpoint } from '../../src/aws-config.js';
import { EXIT_CODES } from '../../src/exit-codes.js';
import { runCli } from '../../src/program.js';
import { capturedIo } from './support/captured-io.js';

describe('rotor command line', () => {
  it.each([[[]], [['status']], [['rotate']], [['doctor']]])(
    'prints help for %j --help and exits 0',
    async (command) => {
      const io = capturedIo();
      const code = await runCli([...command, '--help'], { io });
      expect(code).toBe(EXIT_CODES.ok);
      expect(io.out()).toContain('Usage: rotor');
    },
  );

  it('lists the exit codes in the top-level help', async () => {
    const io = capturedIo();
    await runCli(['--help'], { io });
    expect(io.out()).toMatch(/3 {2}unhealthy/);
  });

  it.each([
    [['status'], "missing required argument 'secret-id'"],
    [['rotate', 'my/secret'], "required option '--engine <engine>' not specified"],
    [['doctor', 'my/secret', '--engine', 'mysql'], 'Allowed choices are elasticache, redshift, postgres'],
    [['rotate', 'my/secret', '--engine', 'redshift', '--strategy', 'sometimes'], 'Allowed choices are auto'],
    [['status', 'my/secret', '--stuck-after', 'soon'], 'is not a number of minutes'],
    [['statuz'], "unknown command 'statuz'"],
    [[], 'Usage: rotor'],
  ])('exits 2 (usage) for %j', async (argv, message) => {
    const io = capturedIo();
    const code = await runCli(argv, { io });
    expect(code).toBe(EXIT_CODES.usage);
    expect(io.err()).toContain(message);
  });

  it('exits 1 with one line naming the endpoint problem when the endpoint is unreachable', async () => {
    const io = capturedIo();
    const code = await runCli(['status', 'my/secret', '--endpoint', 'http://127.0.0.1:9'], { io });
    expect(code).toBe(EXIT_CODES.failure);
    expect(io.err()).toContain('cannot reach the AWS endpoint');
  });

  it('reports the failure as JSON on stdout with --json', async () => {
    const io = capturedIo();
    const code = await runCli(['status', 'my/secret', '--json', '--endpoint', 'http://127.0.0.1:9'], { io });
    expect(code).toBe(EXIT_CODES.failure);
    const printed = JSON.parse(io.out()) as { error: { code: string; message: string } };
    expect(printed.error.code).toBe('ECONNREFUSED');
  });
});

describe('awsClientConfig', () => {
  it('gives a loopback endpoint a region and placeholder credentials when none are configured', () => {
    expect(awsClientConfig({ endpoint: 'http://127.0.0.1:4566' }, {})).toEqual({
      endpoint: 'http://127.0.0.1:4566',
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      maxAttempts: 1,
    });
  });

  it('keeps the default credential chain for real AWS and remote endpoints', () => {
    expect(awsClientConfig({}, { AWS_REGION: 'eu-west-1' })).toEqual({ region: 'eu-west-1' });
    const vpc = awsClientConfig(
      { endpoint: 'https://vpce-123.secretsmanager.eu-west-1.vpce.amazonaws.com' },
      {},
    );
    expect(vpc.credentials).toBeUndefined();
    expect(vpc.region).toBeUndefined();
  });

  it('uses configured credentials even for a loopback endpoint', () => {
    const config = awsClientConfig(
      { endpoint: 'http://localhost:4566', region: 'eu-central-1' },
      { AWS_PROFILE: 'dev' },
    );
    expect(config.credentials).toBeUndefined();
    expect(config.region).toBe('eu-central-1');
  });

  it('recognizes loopback endpoints only', () => {
    expect(isLoopbackEndpoint('http://[::1]:4566')).toBe(true);
    expect(isLoopbackEndpoint('http://10.0.0.1:4566')).toBe(false);
    expect(isLoopbackEndpoint('not a url')).toBe(false);
    expect(isLoopbackEndpoint(undefined)).toBe(false);
  });
});

describe('usage errors', () => {
  it.each([['notaurl'], ['ftp://127.0.0.1:4566'], ['127.0.0.1:4566']])(
    'a bad --endpoint (%s) is a usage error, exit 2, before any AWS call',
    async (endpoint) => {
      const io = capturedIo();
      const code = await runCli(['status', 'my/secret', '--endpoint', endpoint], { io });
      expect(code).toBe(EXIT_CODES.usage);
      expect(io.err()).toContain("option '--endpoint <url>' argument");
      expect(io.err()).not.toMatch(/Region is missing|ECONNREFUSED/);
    },
  );

  it.each([
    [['status', 'my/secret', '--endpoint', 'notaurl', '--json'], /--endpoint <url>.*Expected a URL/],
    [['--json', 'statuz'], /unknown command 'statuz'/],
    [['status', '--json'], /missing required argument 'secret-id'/],
    [['--json', 'rotate', 'my/secret', '--engine', 'mysql'], /Allowed choices are elasticache/],
    [['--json'], /a command is required/],
  ])('under --json, %j is one JSON error on stdout and nothing on stderr', async (argv, message) => {
    const io = capturedIo();
    const code = await runCli(argv, { io });
    expect(code).toBe(EXIT_CODES.usage);
    expect(io.err()).toBe('');
    const printed = JSON.parse(io.out()) as { error: { code: string; message: string } };
    expect(printed.error.code).toBe('USAGE');
    expect(printed.error.message).toMatch(message);
  });
});
