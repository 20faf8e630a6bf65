import * as z from 'zod';
import { InvalidConfigurationError } from '../errors.js';

/**
 * Validates an engine factory's options (or any configuration) with its zod schema and returns the parsed
 * value; a failure is one InvalidConfigurationError naming every problem and where it is, in zod's own
 * words (`z.prettifyError`, one problem per line after `Invalid <label>:`, as every Rotor configuration error).
 * Values are never quoted, so an option that carries a credential cannot leak through the message.
 *
 * @example
 * ```ts
 * const config = parseOptions(acmeEngineOptionsSchema, options, 'Acme engine options');
 * ```
 */
export function parseOptions<TSchema extends z.ZodType>(
  schema: TSchema,
  value: unknown,
  label: string,
): z.output<TSchema> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  throw new InvalidConfigurationError(`Invalid ${label}:\n${z.prettifyError(parsed.error)}`);
}
