import { AwsApiError } from '../service.js';
import { type Input, optionalInteger, optionalString } from './input.js';

/** MaxResults / NextToken paging; the token is the (encoded) offset of the next page. */
export function paginate<T>(items: T[], input: Input): { items: T[]; nextToken?: string } {
  const max = optionalInteger(input, 'MaxResults', { min: 1, max: 100 }) ?? 100;
  const token = optionalString(input, 'NextToken', { min: 1, max: 4096 });
  let offset = 0;
  if (token !== undefined) {
    const parsed = Number(Buffer.from(token, 'base64url').toString('utf8'));
    if (!Number.isInteger(parsed) || parsed < 0) {
      throw new AwsApiError('InvalidNextTokenException', 'The NextToken value is invalid.');
    }
    offset = parsed;
  }
  const page = items.slice(offset, offset + max);
  const next =
    offset + max < items.length ? Buffer.from(String(offset + max)).toString('base64url') : undefined;
  return next === undefined ? { items: page } : { items: page, nextToken: next };
}
