// Reads a gzipped tar bundle from memory into a path → bytes map, streaming through
// zlib and tar-stream so that size and file-count limits stop a bomb before it is inflated.
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { extract, type Extract } from 'tar-stream';
import { BundleError } from './errors.js';
import { describeThrown } from '../shared/errors.js';
import type { BundleLimits } from './limits.js';
import { normalizeBundlePath } from './paths.js';

export async function readTarball(bytes: Uint8Array, limits: BundleLimits): Promise<Map<string, Uint8Array>> {
  if (bytes.byteLength > limits.maxCompressedBytes) {
    throw new BundleError('BUNDLE_TOO_LARGE', `bundle is ${bytes.byteLength} bytes compressed, limit is ${limits.maxCompressedBytes}`);
  }
  if (bytes.byteLength < 2 || bytes[0] !== 0x1f || bytes[1] !== 0x8b) {
    throw new BundleError('BUNDLE_INVALID_ARCHIVE', 'bundle is not a gzip file');
  }

  const ex = extract();
  const inflater = Readable.from([Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)]).pipe(createGunzip());
  // Feeds inflated bytes to the tar parser, counting them: a tar full of padding is a bomb too.
  const feeding = (async () => {
    let inflated = 0;
    for await (const chunk of inflater as AsyncIterable<Buffer>) {
      inflated += chunk.length;
      if (inflated > limits.maxUncompressedBytes) throw tooLarge(limits);
      if (!ex.write(chunk)) await drained(ex);
    }
    // streamx's typings want an argument; undefined ends the stream without writing.
    ex.end(undefined);
  })();
  feeding.catch((e: unknown) => ex.destroy(e instanceof Error ? e : new Error(String(e))));

  const files = new Map<string, Uint8Array>();
  let entries = 0;
  let declared = 0;
  try {
    for await (const entry of ex) {
      entries++;
      if (entries > limits.maxFiles) {
        throw new BundleError('BUNDLE_TOO_MANY_FILES', `bundle has more than ${limits.maxFiles} entries`);
      }
      const { path, body } = await readEntry(entry, limits, declared);
      if (path === null) continue;
      declared += body.byteLength;
      if (files.has(path)) throw new BundleError('BUNDLE_DUPLICATE_FILE', `bundle contains ${path} more than once`);
      files.set(path, body);
    }
    await feeding;
  } catch (e) {
    throw classify(e);
  } finally {
    inflater.destroy();
    ex.destroy();
  }
  return files;
}

/** Returns null for entries that carry no file (directories). */
type Entry = Extract extends AsyncIterable<infer E> ? E : never;

async function readEntry(entry: Entry, limits: BundleLimits, declaredSoFar: number): Promise<{ path: string | null; body: Uint8Array }> {
  const h = entry.header;
  // Old (v7) tar headers may carry no type; they are files.
  const type: string = h.type ?? 'file';
  if (type === 'directory') {
    entry.resume();
    // Directory names are still checked: a "../x/" entry is a sign of a hostile archive.
    normalizeBundlePath(h.name);
    return { path: null, body: new Uint8Array() };
  }
  if (type === 'symlink' || type === 'link') {
    throw new BundleError('BUNDLE_PATH_TRAVERSAL', `refused ${type} ${JSON.stringify(h.name)} → ${JSON.stringify(h.linkname ?? '')}`);
  }
  if (type !== 'file' && type !== 'contiguous-file') {
    throw new BundleError('BUNDLE_UNSUPPORTED_ENTRY', `refused tar entry ${JSON.stringify(h.name)} of type ${type}`);
  }
  const path = normalizeBundlePath(h.name);
  if (path === '') throw new BundleError('BUNDLE_INVALID_ARCHIVE', `tar file entry with empty name ${JSON.stringify(h.name)}`);
  // The header states the size: refuse before reading a single byte of an oversized entry.
  if (declaredSoFar + (h.size ?? 0) > limits.maxUncompressedBytes) throw tooLarge(limits);
  const chunks: Buffer[] = [];
  for await (const chunk of entry) chunks.push(chunk as Buffer);
  return { path, body: new Uint8Array(Buffer.concat(chunks)) };
}

/** Resolves when the parser wants more input, or has gone away (then the loop above stops anyway). */
function drained(ex: Extract): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      ex.off('drain', done);
      ex.off('close', done);
      resolve();
    };
    ex.on('drain', done);
    ex.on('close', done);
  });
}

function tooLarge(limits: BundleLimits): BundleError {
  return new BundleError('BUNDLE_TOO_LARGE', `bundle inflates to more than ${limits.maxUncompressedBytes} bytes`);
}

function classify(e: unknown): BundleError {
  if (e instanceof BundleError) return e;
  const code = (e as { code?: unknown } | null)?.code;
  const msg = describeThrown(e);
  if (code === 'Z_BUF_ERROR' || /unexpected end/i.test(msg)) {
    return new BundleError('BUNDLE_TRUNCATED', `bundle archive ends early: ${msg}`, { cause: e });
  }
  return new BundleError('BUNDLE_INVALID_ARCHIVE', `bundle archive is invalid: ${msg}`, { cause: e });
}
