export const CLONE_SUFFIX = '_clone';

/** `app` <-> `app_clone`, as AWS's alternating-users functions name the second user. */
export function toggleCloneSuffix(username: string): string {
  return username.endsWith(CLONE_SUFFIX) ? username.slice(0, -CLONE_SUFFIX.length) : username + CLONE_SUFFIX;
}
