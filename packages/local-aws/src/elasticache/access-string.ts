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
 * The access string as ElastiCache echoes it: the rules Redis itself reports for the user (`ACL LIST`),
 * without the user name, credentials and the defaults Redis prints for every user. AWS normalises the
 * same way: `*off* +get ~keys*` comes back as `off ~keys* -@all +get` (seed 000).
 */
export function accessStringFromAclListLine(line: string): string {
  const tokens = tokenizeAccessString(line);
  // tokens[0] is `user`, tokens[1] the name.
  return tokens
    .slice(2)
    .filter((token) => !isCredentialRule(token) && token !== 'sanitize-payload' && token !== 'resetchannels')
    .join(' ');
}
