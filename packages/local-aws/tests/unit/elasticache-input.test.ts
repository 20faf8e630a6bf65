import { AwsApiError } from '@rotor/local-aws/service';
import { describe, expect, it } from 'vitest';
import {
  accessStringRules,
  normalizeAccessString,
  tokenizeAccessString,
} from '../../src/elasticache/access-string.ts';
import {
  authenticationRules,
  hashPassword,
  resolveCreateAuthentication,
  resolveModifyAuthentication,
} from '../../src/elasticache/authentication.ts';
import { filterList, memberList, optionalBoolean } from '../../src/elasticache/query-input.ts';
import { normalizeEngine, normalizeId, validatePasswords } from '../../src/elasticache/validation.ts';

const GOOD = 'good-password-00001';
const OTHER = 'other-password-0002';

function codeOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    return error instanceof AwsApiError ? error.code : `not an AwsApiError: ${String(error)}`;
  }
  return undefined;
}

describe('awsQuery parameter readers', () => {
  it('reads member lists in index order, not arrival order', () => {
    const params = new URLSearchParams(
      'Passwords.member.2=b&Passwords.member.1=a&Passwords.member.10=j&Other.member.1=x',
    );
    expect(memberList(params, 'Passwords')).toEqual(['a', 'b', 'j']);
    expect(memberList(params, 'Missing')).toBeUndefined();
    expect(memberList(new URLSearchParams('UserIds='), 'UserIds')).toEqual([]);
  });

  it('reads nested filters with their value lists', () => {
    const params = new URLSearchParams(
      'Filters.member.1.Name=user-id&Filters.member.1.Values.member.1=a&Filters.member.1.Values.member.2=b',
    );
    expect(filterList(params, 'Filters')).toEqual([{ name: 'user-id', values: ['a', 'b'] }]);
    expect(codeOf(() => filterList(new URLSearchParams('Filters.member.1.Name=user-id'), 'Filters'))).toBe(
      'InvalidParameterValue',
    );
  });

  it('reads booleans as the SDK writes them and refuses anything else', () => {
    expect(optionalBoolean(new URLSearchParams('B=true'), 'B')).toBe(true);
    expect(optionalBoolean(new URLSearchParams('B=false'), 'B')).toBe(false);
    expect(optionalBoolean(new URLSearchParams(''), 'B')).toBeUndefined();
    expect(codeOf(() => optionalBoolean(new URLSearchParams('B=yes'), 'B'))).toBe('InvalidParameterValue');
  });
});

describe('access strings', () => {
  it('keeps Redis 7 selectors as one rule', () => {
    expect(tokenizeAccessString('on ~a:* (~b:* +get) +@read')).toEqual([
      'on',
      '~a:*',
      '(~b:* +get)',
      '+@read',
    ]);
    expect(codeOf(() => tokenizeAccessString('on (~b:* +get'))).toBe('InvalidParameterValue');
  });

  it('reads the AWS page spelling *off* / *on* as off / on', () => {
    expect(accessStringRules('*off* +get ~keys*')).toEqual(['off', '+get', '~keys*']);
    expect(accessStringRules('*on* ~* +@all')).toEqual(['on', '~*', '+@all']);
  });

  it.each([
    ['on ~* +@all >secret-password-1', 'a password'],
    ['on ~* +@all <old', 'a password removal'],
    ['on #0123 ~*', 'a password hash'],
    ['on !0123 ~*', 'a hash removal'],
    ['on nopass ~*', 'nopass'],
    ['on resetpass ~*', 'resetpass'],
    ['reset on ~*', 'reset'],
    ['   ', 'nothing'],
  ])('refuses %j (%s)', (accessString) => {
    expect(codeOf(() => accessStringRules(accessString))).toBe('InvalidParameterValue');
  });

  it('echoes access strings the way ElastiCache does, in a stable order', () => {
    const echo = (accessString: string) => normalizeAccessString(accessStringRules(accessString));
    expect(echo('*off* +get ~keys*')).toBe('off ~keys* -@all +get');
    expect(echo('on ~* +@all')).toBe('on ~* +@all');
    expect(echo('~objects:* ~items:* ~public:*')).toBe('off ~objects:* ~items:* ~public:* -@all');
    expect(echo('on allkeys allchannels allcommands -flushall')).toBe('on ~* &* +@all -flushall');
    expect(echo('on ~a resetkeys ~b &c resetchannels +get (~x +set) clearselectors (~y +del)')).toBe(
      'on ~b -@all +get (~y +del)',
    );
    expect(echo('on ~* +get +set')).toBe(echo('on ~* +get +set'));
  });
});

describe('ElastiCache validation', () => {
  it('lowercases ids and enforces the id pattern', () => {
    expect(normalizeId('UserId', 'App-User-1')).toBe('app-user-1');
    for (const bad of ['1abc', 'a_b', 'a--b', 'abc-', '']) {
      expect(
        codeOf(() => normalizeId('UserId', bad)),
        bad,
      ).toBe('InvalidParameterValue');
    }
  });

  it('accepts engines case-insensitively', () => {
    expect(normalizeEngine('REDIS')).toBe('redis');
    expect(normalizeEngine('Valkey')).toBe('valkey');
    expect(codeOf(() => normalizeEngine('memcached'))).toBe('InvalidParameterValue');
  });

  it('enforces 16–128 printable characters, the forbidden characters, and at most two passwords', () => {
    expect(() => validatePasswords(['a'.repeat(16)])).not.toThrow();
    expect(() => validatePasswords(['a'.repeat(128), 'b'.repeat(16)])).not.toThrow();
    expect(() => validatePasswords(['!#$%&()*+-.:;<=>?[]^_`{|}~0123'])).not.toThrow();
    const refused = [
      ['a'.repeat(15)],
      ['a'.repeat(129)],
      ['with,comma-000000000'],
      ['with"quote-000000000'],
      ['with/slash-000000000'],
      ['with@at-000000000000'],
      ['with space-000000000'],
      ['with\ttab-0000000000'],
      ['non-ascii-é-00000000'],
      [GOOD, OTHER, 'third-password-00003'],
      [],
    ];
    for (const passwords of refused) {
      let message = '';
      try {
        validatePasswords(passwords);
      } catch (error) {
        message = error instanceof AwsApiError ? `${error.code}: ${error.message}` : String(error);
      }
      expect(message, JSON.stringify(passwords)).toMatch(/^InvalidParameterValue: /);
      for (const password of passwords) expect(message).not.toContain(password);
    }
  });
});

describe('authentication resolution', () => {
  it('keeps only SHA-256 digests and turns them into # rules', () => {
    const auth = resolveCreateAuthentication({ passwords: [GOOD, OTHER] });
    expect(auth).toEqual({ type: 'password', passwordHashes: [hashPassword(GOOD), hashPassword(OTHER)] });
    expect(JSON.stringify(auth)).not.toContain(GOOD);
    expect(authenticationRules(auth)).toEqual([`#${hashPassword(GOOD)}`, `#${hashPassword(OTHER)}`]);
    expect(hashPassword('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('maps the three ways to ask for a mode', () => {
    expect(resolveCreateAuthentication({ noPasswordRequired: true })).toEqual({
      type: 'no-password',
      passwordHashes: [],
    });
    expect(resolveCreateAuthentication({ mode: { type: 'no-password-required' } }).type).toBe('no-password');
    expect(resolveCreateAuthentication({ mode: { type: 'iam' } })).toEqual({
      type: 'iam',
      passwordHashes: [],
    });
    expect(
      resolveCreateAuthentication({ mode: { type: 'password', passwords: [GOOD] } }).passwordHashes,
    ).toEqual([hashPassword(GOOD)]);
    expect(authenticationRules({ type: 'no-password', passwordHashes: [] })).toEqual(['nopass']);
    expect(authenticationRules({ type: 'iam', passwordHashes: [] })).toEqual([]);
  });

  it.each([
    [{ passwords: [GOOD], noPasswordRequired: true }, 'InvalidParameterCombination'],
    [
      { passwords: [GOOD], mode: { type: 'password' as const, passwords: [GOOD] } },
      'InvalidParameterCombination',
    ],
    [{ noPasswordRequired: true, mode: { type: 'iam' as const } }, 'InvalidParameterCombination'],
    [{ mode: { type: 'iam' as const, passwords: [GOOD] } }, 'InvalidParameterCombination'],
    [{ mode: { type: 'password' as const } }, 'InvalidParameterValue'],
    [{ mode: { passwords: [GOOD] } }, 'InvalidParameterValue'],
    [{}, 'InvalidParameterValue'],
    [{ noPasswordRequired: false }, 'InvalidParameterValue'],
  ])('CreateUser refuses %j with %s', (input, code) => {
    expect(codeOf(() => resolveCreateAuthentication(input))).toBe(code);
  });

  it('ModifyUser leaves authentication alone unless asked, and replaces both slots when asked', () => {
    const current = resolveCreateAuthentication({ passwords: [GOOD] });
    expect(resolveModifyAuthentication(current, {})).toBeUndefined();
    expect(resolveModifyAuthentication(current, { noPasswordRequired: false })).toBeUndefined();
    expect(resolveModifyAuthentication(current, { passwords: [OTHER] })?.passwordHashes).toEqual([
      hashPassword(OTHER),
    ]);
    const open = resolveCreateAuthentication({ noPasswordRequired: true });
    expect(codeOf(() => resolveModifyAuthentication(open, { noPasswordRequired: false }))).toBe(
      'InvalidParameterCombination',
    );
  });
});
