import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { describe, expect, it } from 'vitest';
import { EXIT_CODES } from '../../src/exit-codes.js';
import { runCli } from '../../src/program.js';
import { capturedIo } from '../unit/support/captured-io.js';

describe('rotor local-aws', () => {
  it("shows the local-aws CLI's own help", async () => {
    const io = capturedIo(process.env);
    const code = await runCli(['local-aws', '--help'], { io });
    expect(code).toBe(EXIT_CODES.ok);
    expect(io.out()).toContain('Usage: local-aws [options]');
  });

  it('exits 2 for an option local-aws does not know', async () => {
    const io = capturedIo(process.env);
    const code = await runCli(['local-aws', '--no-such-option'], { io });
    expect(code).toBe(EXIT_CODES.usage);
  });

  it('serves an endpoint that rotor status can use, and stops cleanly on SIGINT', async () => {
    // Prepare
    const io = capturedIo(process.env);
    const stop = new AbortController();
    const running = runCli(['local-aws', '--port', '0', '--region', 'eu-west-1'], {
      io,
      stopSignal: stop.signal,
    });
    const deadline = Date.now() + 20_000;
    while (!/^http:\/\/127\.0\.0\.1:\d+$/m.test(io.out())) {
      if (Date.now() > deadline) throw new Error(`no endpoint line; output: ${io.out()} ${io.err()}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const endpoint = io.out().match(/^(http:\/\/127\.0\.0\.1:\d+)$/m)?.[1] ?? '';
    const client = new SecretsManagerClient({
      endpoint,
      region: 'eu-west-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    await client.send(
      new CreateSecretCommand({ Name: 'cli/local', SecretString: '{"username":"u","password":"p"}' }),
    );
    client.destroy();

    // Act
    const statusIo = capturedIo();
    const statusCode = await runCli(['status', 'cli/local', '--endpoint', endpoint, '--json'], {
      io: statusIo,
    });
    stop.abort();
    const code = await running;

    // Assess
    expect(io.out()).toContain('region eu-west-1');
    expect(statusCode).toBe(EXIT_CODES.ok);
    expect(JSON.parse(statusIo.out()).secret.arn).toContain('arn:aws:secretsmanager:eu-west-1:');
    expect(code).toBe(EXIT_CODES.ok);
  });
});
