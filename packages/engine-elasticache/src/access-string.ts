/**
 * ElastiCache access strings are space-separated Redis ACL rules applied left to right; `on` / `off`
 * enable or disable the user. The service normalises them (`*off* +get ~keys*` is echoed back as
 * `off ~keys* -@all +get`), so rules are compared as tokens, never as raw text.
 */

function topLevelTokens(accessString: string): string[] {
  // Selectors `( ... )` contain spaces; they never hold `on`/`off`, so only top-level tokens matter.
  const tokens: string[] = [];
  let depth = 0;
  let current = '';
  for (const character of accessString.trim()) {
    if (character === '(') depth += 1;
    if (character === ')') depth = Math.max(0, depth - 1);
    if (character === ' ' && depth === 0) {
      if (current) tokens.push(current);
      current = '';
    } else {
      current += character;
    }
  }
  if (current) tokens.push(current);
  return tokens;
}

/** Whether the user is disabled: the last `on`/`off` rule wins, and neither means `off`. */
export function isDisabled(accessString: string | undefined): boolean {
  if (accessString === undefined) return false;
  let enabled = false;
  for (const token of topLevelTokens(accessString)) {
    if (token === 'on') enabled = true;
    else if (token === 'off') enabled = false;
  }
  return !enabled;
}

/** The same rules with the user switched on: every top-level `off` becomes `on` (or `on` is prepended). */
export function switchedOn(accessString: string): string {
  const tokens = topLevelTokens(accessString);
  if (!tokens.some((token) => token === 'off' || token === 'on')) return ['on', ...tokens].join(' ');
  return tokens.map((token) => (token === 'off' ? 'on' : token)).join(' ');
}
