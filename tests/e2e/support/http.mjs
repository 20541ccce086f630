// Raw HTTP/1.1 requests for the end-to-end tests, with node:http: exactly the headers given (plus
// Host unless given, Content-Length for a body, and Connection: close), in the order given, and the response's headers as sent.
// Node's fetch cannot do that: it adds Sec-Fetch-Mode, Accept, User-Agent... and overwrites a
// Sec-Fetch-Mode the caller sets.
//
//   import { rawRequest, rawFetch } from './support/http.mjs';
//   const res = await rawRequest(origin, 'POST', '/api/auth/sign-in/anonymous',
//                                { headers: [['Content-Type', 'application/json']], body: '{}' });
//   res.status, res.statusText, res.headers (pairs as sent), res.header('set-auth-token'),
//   res.all('set-cookie'), res.text, res.json()
//
//   rawFetch: a fetch (url, init) -> Response over rawRequest, e.g. as makeCookieFetch's base
//   fetch, for a client whose requests must carry exactly their own headers.
import http from 'node:http';

const DEFAULT_TIMEOUT_MS = 10_000;

/**
 * One request on its own connection.
 *
 * @param {string} origin  http://host:port
 * @param {string} method
 * @param {string} target  the request target, sent as is ('/api/auth/ok?x=1')
 * @param {object} [options]
 * @param {Array<[string,string]>|Record<string,string>} [options.headers]
 * @param {string|Buffer} [options.body]
 * @param {number} [options.timeout]  ms before the request is abandoned (default 10 s)
 */
export function rawRequest(origin, method, target, { headers = [], body, timeout = DEFAULT_TIMEOUT_MS } = {}) {
  const url = new URL(origin);
  const pairs = Array.isArray(headers) ? headers : Object.entries(headers);
  const flat = [];
  // With headers as a list node:http adds no Host: it comes first unless the caller gives one.
  if (!pairs.some(([name]) => name.toLowerCase() === 'host')) flat.push('Host', url.host);
  for (const [name, value] of pairs) flat.push(name, String(value));
  if (body !== undefined && !pairs.some(([name]) => name.toLowerCase() === 'content-length')) {
    flat.push('Content-Length', String(Buffer.byteLength(body)));
  }
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: url.hostname, port: url.port, method, path: target, headers: flat, agent: false, timeout,
    }, (res) => {
      const chunks = [];
      res.on('data', (chunk) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => {
        const raw = res.rawHeaders;
        const list = [];
        for (let i = 0; i < raw.length; i += 2) list.push([raw[i], raw[i + 1]]);
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({
          status: res.statusCode,
          statusText: res.statusMessage,
          headers: list,
          /** The first value of a header (any letter case), or null. */
          header: (name) => list.find(([n]) => n.toLowerCase() === name.toLowerCase())?.[1] ?? null,
          /** Every value of a header, in order. */
          all: (name) => list.filter(([n]) => n.toLowerCase() === name.toLowerCase()).map(([, v]) => v),
          text,
          json: () => JSON.parse(text),
        });
      });
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${target}: no answer within ${timeout} ms`)));
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

/** A fetch over rawRequest: the request's own headers only (see the header comment). */
export async function rawFetch(input, init = {}) {
  const request = input instanceof Request ? input : undefined;
  const url = new URL(request ? request.url : String(input));
  const method = String(init.method ?? request?.method ?? 'GET').toUpperCase();
  const headers = [...new Headers(init.headers ?? request?.headers)];
  let body = init.body ?? undefined;
  if (body !== undefined && typeof body !== 'string' && !Buffer.isBuffer(body)) {
    body = Buffer.from(await new Response(body).arrayBuffer());
  }
  const res = await rawRequest(url.origin, method, url.pathname + url.search, { headers, body });
  const responseHeaders = new Headers();
  for (const [name, value] of res.headers) responseHeaders.append(name, value);
  const nullBody = res.status === 204 || res.status === 304 || method === 'HEAD';
  return new Response(nullBody ? null : res.text, {
    status: res.status, statusText: res.statusText, headers: responseHeaders,
  });
}
