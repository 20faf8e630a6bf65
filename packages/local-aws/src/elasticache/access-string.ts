/**
 * ElastiCache access strings and their Redis ACL rules. An access string is Redis ACL syntax without the
 * authentication rules: ElastiCache manages passwords through the API, so passwords, `nopass`,
 * `resetpass` and `reset` are refused inside it (awsdocs/amazon-elasticache-docs Clusters.RBAC.md).
 */
import { invalidValue } from './query-input.js';

/**
 * Splits an access string into ACL rule arguments. Redis 7 selectors are parenthesised and may hold
 * spaces, e.g. `(~temp:* +get)`, so they stay one argument, as `ACL SETUSER` expects.
 */
export function tokenizeAccessString(accessString: string): string[] {
  const tokens: string[] = [];
  let selector: string[] | undefined;
  for (const word of accessString.trim().split(/\s+/)) {
    if (word === '') continue;
    if (selector) {
      selector.push(word);
      if (word.endsWith(')')) {
        tokens.push(selector.join(' '));
        selector = undefined;
      }
    } else if (word.startsWith('(') && !word.endsWith(')')) {
      selector = [word];
    } else {
      tokens.push(word);
    }
  }
  if (selector) throw invalidValue('Invalid access string: unterminated selector.');
  return tokens;
}

/** Rules that set or clear credentials: ElastiCache takes those only through Passwords/NoPasswordRequired. */
function isCredentialRule(token: string): boolean {
  const lowered = token.toLowerCase();
  return (
    lowered === 'nopass' ||
    lowered === 'resetpass' ||
    token.startsWith('>') ||
    token.startsWith('<') ||
    token.startsWith('#') ||
    token.startsWith('!')
  );
}

/**
 * The ACL rules an access string stands for, without authentication rules. Refuses what ElastiCache
 * refuses. `*on*` / `*off*` are read as `on` / `off`: the AWS page this project must follow as written
 * (User-Secrets-Manager.md, seed 000) passes `--access-string "*off* +get ~keys*"` and shows the user
 * created `off`; see docs/decisions/0020.
 */
export function accessStringRules(accessString: string): string[] {
  if (!/\S/.test(accessString)) throw invalidValue('Access string must not be empty.');
  const tokens = tokenizeAccessString(accessString).map((token) =>
    token === '*on*' || token === '*off*' ? token.slice(1, -1) : token,
  );
  for (const token of tokens) {
    if (token.toLowerCase() === 'reset') {
      throw invalidValue('Access string cannot contain the reset command.');
    }
    if (isCredentialRule(token)) {
      throw invalidValue('Access string cannot contain passwords or password rules.');
    }
  }
  return tokens;
}

/**
 * The access string as ElastiCache echoes it: `on`/`off` first, then key patterns, channel patterns and
 * command rules (starting from `-@all` unless the rules start from `+@all`), in the order given.
 * AWS normalises this way: `*off* +get ~keys*` comes back as `off ~keys* -@all +get` (seed 000). Redis's
 * own `ACL LIST` rendering is not used because Redis 7.0 orders command rules by its (randomly seeded)
 * command table, so it differs between runs.
 */
export function normalizeAccessString(rules: readonly string[]): string {
  let enabled = 'off';
  const flags: string[] = [];
  let keys: string[] = [];
  let channels: string[] = [];
  const commands: string[] = [];
  let selectors: string[] = [];
  for (const rule of rules) {
    const lowered = rule.toLowerCase();
    if (lowered === 'on' || lowered === 'off') enabled = lowered;
    else if (lowered === 'allkeys') keys.push('~*');
    else if (lowered === 'resetkeys') keys = [];
    else if (rule.startsWith('~') || rule.startsWith('%')) keys.push(rule);
    else if (lowered === 'allchannels') channels.push('&*');
    else if (lowered === 'resetchannels') channels = [];
    else if (rule.startsWith('&')) channels.push(rule);
    else if (lowered === 'allcommands') commands.push('+@all');
    else if (lowered === 'nocommands') commands.push('-@all');
    else if (rule.startsWith('+') || rule.startsWith('-')) commands.push(rule);
    else if (lowered === 'clearselectors') selectors = [];
    else if (rule.startsWith('(')) selectors.push(rule);
    else flags.push(rule);
  }
  const base = commands[0] === '+@all' || commands[0] === '-@all' ? [] : ['-@all'];
  return [enabled, ...flags, ...keys, ...channels, ...base, ...commands, ...selectors].join(' ');
}
