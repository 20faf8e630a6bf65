import { startPostgresServer } from '@rotor/local-aws/harness';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { postgresVerifierOpens } from '../../src/crash/password-verifiers.ts';

/** The verifiers PostgreSQL itself stores: SCRAM-SHA-256 and md5, opened by the right password only. */
describe('postgresVerifierOpens', () => {
  for (const authMethod of ['scram-sha-256', 'md5'] as const) {
    it(`opens a ${authMethod} verifier the server made with the right password, and only that one`, async () => {
      const server = await startPostgresServer({ authMethod });
      const client = new pg.Client({ connectionString: server.connectionString() });
      try {
        await client.connect();
        await client.query(`CREATE ROLE verified LOGIN PASSWORD 'Right-Password-7'`);
        const { rows } = await client.query("SELECT rolpassword FROM pg_authid WHERE rolname = 'verified'");
        const verifier = String(rows[0].rolpassword);
        expect(verifier.startsWith(authMethod === 'md5' ? 'md5' : 'SCRAM-SHA-256$')).toBe(true);
        expect(postgresVerifierOpens(verifier, 'verified', 'Right-Password-7')).toBe(true);
        expect(postgresVerifierOpens(verifier, 'verified', 'Wrong-Password-7')).toBe(false);
        expect(postgresVerifierOpens(verifier, 'other', 'Right-Password-7')).toBe(authMethod !== 'md5');
      } finally {
        await client.end().catch(() => {});
        await server.stop();
      }
    });
  }
});
