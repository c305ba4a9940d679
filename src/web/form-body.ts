import qs from 'qs';

/** Parses an HTML form body; `name[]` and `name[key]` become arrays and objects. */
export function parseFormBody(body: string): Record<string, unknown> {
  return qs.parse(body, { depth: 2, arrayLimit: 100, parameterLimit: 500, allowDots: false, allowPrototypes: false, charset: 'utf-8' }) as Record<string, unknown>;
}
