import { invalidValue, optionalInteger, optionalString } from './query-input.js';

const MIN_RECORDS = 20;
const MAX_RECORDS = 100;

function pageSize(params: URLSearchParams): number {
  const max = optionalInteger(params, 'MaxRecords') ?? MAX_RECORDS;
  if (max < MIN_RECORDS || max > MAX_RECORDS) {
    throw invalidValue(`MaxRecords must be between ${MIN_RECORDS} and ${MAX_RECORDS}.`);
  }
  return max;
}

/** One page of items sorted by key; the Marker is the (encoded) key of the first item of the next page. */
export function paginate<T>(items: readonly T[], key: (item: T) => string, params: URLSearchParams) {
  const size = pageSize(params);
  const marker = optionalString(params, 'Marker');
  let start = 0;
  if (marker) {
    const after = Buffer.from(marker, 'base64url').toString('utf8');
    if (!after || Buffer.from(after, 'utf8').toString('base64url') !== marker) {
      throw invalidValue('Invalid Marker.');
    }
    start = items.findIndex((item) => key(item) >= after);
    if (start < 0) start = items.length;
  }
  const page = items.slice(start, start + size);
  const next = items[start + size];
  return { page, marker: next ? Buffer.from(key(next), 'utf8').toString('base64url') : undefined };
}
