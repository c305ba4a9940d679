import type { FastifyInstance } from 'fastify';
import { AppError } from './errors.js';

/**
 * JSON request bodies, parsed by Fastify's own parser (which refuses __proto__ and constructor
 * poisoning) after a depth check: no request citydesk takes nests more than a few levels, and a
 * body nested thousands deep would exhaust the stack of whatever walks it afterwards. The check
 * is one pass over the text, without recursion.
 */
export const maxJsonDepth = 32;

/** How deep the JSON text nests, counting brackets outside strings; stops counting past `limit`. */
export function jsonDepth(text: string, limit = Number.POSITIVE_INFINITY): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i += 1; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      depth += 1;
      if (depth > deepest) {
        deepest = depth;
        if (deepest > limit) return deepest;
      }
    } else if (c === 0x7d || c === 0x5d) depth -= 1;
  }
  return deepest;
}

export function registerJsonBodyParser(app: FastifyInstance): void {
  const parse = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = body as string;
    if (jsonDepth(text, maxJsonDepth) > maxJsonDepth) {
      done(
        new AppError('VALIDATION_FAILED', `The request body nests objects or arrays more than ${maxJsonDepth} levels deep; no request takes that. Send the fields as the API documentation shows.`, [
          { field: 'body', message: `nested more than ${maxJsonDepth} levels` },
        ]),
        undefined,
      );
      return;
    }
    parse(request, text, done);
  });
}
