import type { Socket } from 'node:net';
import { maxPageSize } from './find-open311-requests.js';
import { contentTypes, serialize, splitExtension } from './open311-format.js';

/**
 * Requests too big to answer. FixMyStreet asks for about 1,000 service_request_id values in one
 * GET (some 17 KB of address). Node reads up to `maxHeaderBytes` of request line and headers, so
 * such an address reaches the Open311 routes, which take up to `maxUrlLength` characters (room for
 * the most ids one request takes, `maxPageSize`) and answer a longer one with an Open311 error
 * saying so (414). What Node itself refuses (headers beyond `maxHeaderBytes`, a malformed request
 * line, a client too slow to send) gets an answer here: in Open311's shape and format when the
 * request line shows an Open311 path, in the API's otherwise.
 */
export const maxHeaderBytes = 131_072;
export const maxUrlLength = 32_768;

export const tooManyIds = (what: string): string =>
  `${what} Ask for at most ${maxPageSize.toLocaleString('en-CA')} service_request_id values in one request, in several requests if you need more.`;

/**
 * The first bytes each connection sent: when Node refuses headers that are too large, the chunk it
 * hands over is the last one read, without the request line. One look per connection (a later
 * request on a kept-alive connection is judged by the first one's line).
 */
const firstBytes = new WeakMap<Socket, Buffer>();
export function rememberRequestLine(socket: Socket): void {
  socket.once('data', (chunk: Buffer) => firstBytes.set(socket, chunk.subarray(0, 512)));
}

/** The raw HTTP answer to a connection error on `socket`, whose current chunk is `rawPacket`. */
export function clientErrorAnswer(code: string | undefined, socket: Socket, rawPacket: Buffer | undefined): string {
  const status = code === 'HPE_HEADER_OVERFLOW' ? 431 : code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
  const reason = status === 431 ? 'Request Header Fields Too Large' : status === 408 ? 'Request Timeout' : 'Bad Request';
  const description =
    status === 431
      ? tooManyIds(`The request's address and headers are too long for this server (at most ${maxHeaderBytes / 1024} KB).`)
      : status === 408
        ? 'The request took too long to arrive. Send it again.'
        : 'The request is not valid HTTP.';
  // Only the request line is read: enough to know the path and its format.
  const requestLine = (bytes: Buffer | undefined): string => bytes?.subarray(0, 512).toString('latin1').split('\r\n')[0] ?? '';
  const path = /^[A-Z]+ (\/[^ ?]*)/.exec(requestLine(rawPacket))?.[1] ?? /^[A-Z]+ (\/[^ ?]*)/.exec(requestLine(firstBytes.get(socket)))?.[1] ?? '';
  let type: string;
  let body: string;
  if (path.startsWith('/open311/')) {
    const format = splitExtension(path.slice(path.lastIndexOf('/') + 1)).format ?? 'json';
    type = contentTypes[format];
    body = serialize({ kind: 'errors', body: [{ code: status, description }] }, format);
  } else {
    type = 'application/json; charset=utf-8';
    body = JSON.stringify({ error: { code: status === 431 ? 'HEADERS_TOO_LARGE' : status === 408 ? 'REQUEST_TIMEOUT' : 'VALIDATION_FAILED', message: description } });
  }
  return `HTTP/1.1 ${status} ${reason}\r\nContent-Type: ${type}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`;
}
