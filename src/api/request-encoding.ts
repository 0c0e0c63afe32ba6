// gzip request bodies (OPA accepts `Content-Encoding: gzip`): inflated before the body parser,
// with the body limit applied to the INFLATED size — a small gzip bomb is refused with 413 as
// soon as its output passes the limit, without inflating the rest. Other encodings → 415.
import type { FastifyInstance } from 'fastify';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { ApiError } from './errors.js';

export function registerRequestDecoding(app: FastifyInstance, bodyLimit: number): void {
  // A callback hook, not an async one: it runs on every request and a promise per request shows.
  app.addHook('preParsing', (request, _reply, payload, done) => {
    const enc = request.headers['content-encoding'];
    if (enc === undefined || enc === '' || enc.toLowerCase() === 'identity') return done(null, payload);
    if (enc.toLowerCase() !== 'gzip')
      return done(new ApiError(415, 'UNSUPPORTED_MEDIA_TYPE', `unsupported Content-Encoding ${JSON.stringify(enc.slice(0, 50))}; send gzip or none`));
    const gunzip = createGunzip();
    let encoded = 0;
    let inflated = 0;
    payload.on('data', (chunk: Buffer) => (encoded += chunk.length));
    gunzip.on('data', (chunk: Buffer) => {
      inflated += chunk.length;
      if (inflated > bodyLimit) {
        // Stop inflating now; fastify answers 413 for the stream error below.
        payload.unpipe(gunzip);
        gunzip.destroy(Object.assign(new Error('request body too large once inflated'), { code: 'FST_ERR_CTP_BODY_TOO_LARGE', statusCode: 413 }));
      }
    });
    gunzip.on('error', () => payload.resume());
    payload.pipe(gunzip);
    // fastify compares Content-Length with what it received: the encoded bytes, counted above.
    Object.defineProperty(gunzip, 'receivedEncodedLength', { get: () => encoded });
    done(null, gunzip as unknown as Readable);
  });
}
