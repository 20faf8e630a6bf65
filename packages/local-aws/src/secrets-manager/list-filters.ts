import type { SecretRecord } from './model.js';

export const FILTER_KEYS = [
  'description',
  'name',
  'tag-key',
  'tag-value',
  'primary-region',
  'owning-service',
  'all',
] as const;

/** ListSecrets filters: prefix match; a value starting with `!` negates; values of one filter are ORed. */
export function matchesFilter(
  secret: SecretRecord,
  filter: { key: string; values: string[] },
  region: string,
): boolean {
  const fields = (key: string): string[] => {
    switch (key) {
      case 'name':
        return [secret.name];
      case 'description':
        return secret.description ? [secret.description] : [];
      case 'tag-key':
        return secret.tags.map((tag) => tag.Key);
      case 'tag-value':
        return secret.tags.map((tag) => tag.Value);
      case 'primary-region':
        return [region];
      case 'owning-service':
        return [];
      default:
        return [...fields('name'), ...fields('description'), ...fields('tag-key'), ...fields('tag-value')];
    }
  };
  const candidates = fields(filter.key);
  const positives = filter.values.filter((value) => !value.startsWith('!'));
  const negatives = filter.values.filter((value) => value.startsWith('!')).map((value) => value.slice(1));
  if (negatives.some((value) => candidates.some((field) => field.startsWith(value)))) return false;
  return (
    positives.length === 0 || positives.some((value) => candidates.some((field) => field.startsWith(value)))
  );
}
