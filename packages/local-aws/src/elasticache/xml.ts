/**
 * The little XML the awsQuery result bodies need: escaped text elements and `<member>` lists. The HTTP
 * layer wraps what these build in `<{Action}Response><{Action}Result>`.
 */
import { escapeXml } from '../http/query-protocol.js';

// One escaper for every awsQuery body: the HTTP layer's, which also escapes error responses.
export { escapeXml };

/** `<name>text</name>`, or nothing when the value is undefined (the SDK leaves the field unset). */
export function element(name: string, value: string | number | boolean | undefined): string {
  if (value === undefined) return '';
  return `<${name}>${escapeXml(String(value))}</${name}>`;
}

/** `<name>` wrapping already-built XML children. */
export function wrap(name: string, innerXml: string): string {
  return `<${name}>${innerXml}</${name}>`;
}

/** `<name><member>a</member><member>b</member></name>`; an empty list stays `<name></name>` (parsed as []). */
export function stringList(name: string, values: readonly string[]): string {
  return wrap(name, values.map((value) => element('member', value)).join(''));
}

/** `<name><member>...</member>...</name>` from already-built member bodies. */
export function structureList(name: string, memberBodies: readonly string[]): string {
  return wrap(name, memberBodies.map((body) => wrap('member', body)).join(''));
}
