// A bundle on the local filesystem (directory or .tar.gz), reloaded when it changes.
import { watch, type FSWatcher } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { digestFiles } from './digest.js';
import { BundleError } from './errors.js';
import { describeThrown } from '../shared/errors.js';
import type { BundleLimits } from './limits.js';
import { readDirectory } from './read-dir.js';
import type { BundleSource, SourceHandlers, SourcePayload } from './source.js';

export interface FileSourceOptions {
  path: string;
  /** fs.watch the path (default true). */
  watch?: boolean;
  /** Also re-read on this interval: a safety net where fs.watch misses events (NFS, some volumes). */
  pollIntervalMs?: number;
  /** Quiet period after the last change event before reloading (default 200 ms): editors and
   * `cp -r` produce bursts of events, and a half-written bundle is not worth compiling. */
  debounceMs?: number;
  /** A directory is read twice this far apart (default 1000 ms) and served only when both reads
   * agree: a slow copy, an rsync or a git checkout must never go live half done. 0 = read once. */
  settleMs?: number;
}

/** Reads that kept changing this many times in a row give up until the next change event. */
const MAX_SETTLE_ROUNDS = 10;

const REARM_DELAY_MS = 1000;
export const DEFAULT_SETTLE_MS = 1000;

export class FileSource implements BundleSource {
  private readonly opts: FileSourceOptions;
  private readonly limits: BundleLimits;
  private handlers: SourceHandlers | null = null;
  private parentWatcher: FSWatcher | null = null;
  private treeWatcher: FSWatcher | null = null;
  private treeIno: number | null = null;
  private debounce: NodeJS.Timeout | null = null;
  private poller: NodeJS.Timeout | null = null;
  private rearm: NodeJS.Timeout | null = null;
  private loading: Promise<void> | null = null;
  private again = false;
  private stopped = false;

  constructor(opts: FileSourceOptions, limits: BundleLimits) {
    this.opts = opts;
    this.limits = limits;
  }

  async start(h: SourceHandlers): Promise<void> {
    this.handlers = h;
    await this.reload();
    if (this.opts.watch !== false) this.armParent();
    if (this.opts.pollIntervalMs) {
      this.poller = setInterval(() => void this.reload(), this.opts.pollIntervalMs);
      this.poller.unref();
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of [this.debounce, this.rearm]) if (t) clearTimeout(t);
    if (this.poller) clearInterval(this.poller);
    this.parentWatcher?.close();
    this.treeWatcher?.close();
    this.parentWatcher = this.treeWatcher = null;
    await this.loading;
  }

  /** One load at a time; a change during a load schedules exactly one more. */
  private reload(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (this.loading) {
      this.again = true;
      return this.loading;
    }
    this.loading = (async () => {
      do {
        this.again = false;
        await this.loadOnce();
      } while (this.again && !this.stopped);
    })().finally(() => {
      this.loading = null;
    });
    return this.loading;
  }

  private async loadOnce(): Promise<void> {
    const h = this.handlers;
    if (!h) return;
    let payload: SourcePayload;
    try {
      payload = await this.read();
    } catch (e) {
      h.onError(
        e instanceof BundleError ? e : new BundleError('BUNDLE_FETCH_FAILED', `cannot read bundle ${this.opts.path}: ${describeThrown(e)}`, { cause: e }),
      );
      return;
    }
    await h.onPayload(payload);
  }

  private async read(): Promise<SourcePayload> {
    const st = await stat(this.opts.path);
    if (st.isDirectory()) {
      if (this.opts.watch !== false) this.armTree(st.ino);
      return { kind: 'files', files: await this.readSettled() };
    }
    if (st.size > this.limits.maxCompressedBytes) {
      throw new BundleError('BUNDLE_TOO_LARGE', `${this.opts.path} is ${st.size} bytes, limit is ${this.limits.maxCompressedBytes}`);
    }
    return { kind: 'tarball', bytes: new Uint8Array(await readFile(this.opts.path)) };
  }

  /** The directory's files once two reads a quiet period apart agree. A ConfigMap-style
   * directory (an atomically swapped `..data` link) is consistent by construction: read once. */
  private async readSettled(): Promise<Map<string, Uint8Array>> {
    const read = await readDirectory(this.opts.path, this.limits);
    const settleMs = this.opts.settleMs ?? DEFAULT_SETTLE_MS;
    if (settleMs === 0 || read.atomic) return read.files;
    let digest = digestFiles(read.files);
    for (let round = 0; round < MAX_SETTLE_ROUNDS && !this.stopped; round++) {
      await new Promise((resolve) => setTimeout(resolve, settleMs));
      const again = (await readDirectory(this.opts.path, this.limits)).files;
      const d = digestFiles(again);
      if (d === digest) return again;
      digest = d;
    }
    throw new BundleError(
      'BUNDLE_UNSTABLE',
      `bundle directory ${this.opts.path} kept changing for ${MAX_SETTLE_ROUNDS} reads ${settleMs} ms apart; it is read again on its next change`,
    );
  }

  private changed = (): void => {
    if (this.stopped) return;
    if (this.debounce) clearTimeout(this.debounce);
    this.debounce = setTimeout(() => {
      this.debounce = null;
      void this.reload();
    }, this.opts.debounceMs ?? 200);
  };

  /** Watches the parent directory for the bundle's own name: an atomic replace (write + rename)
   * swaps the inode, which a watch on the file itself would never see. */
  private armParent(): void {
    const name = basename(this.opts.path);
    try {
      this.parentWatcher = watch(dirname(this.opts.path), (_event, file) => {
        if (file === null || file === name) this.changed();
      });
      this.parentWatcher.on('error', () => this.scheduleRearm());
    } catch {
      this.scheduleRearm();
    }
  }

  /** Watches inside a directory bundle; re-armed when the directory itself is replaced. */
  private armTree(ino: number): void {
    if (this.stopped || (this.treeWatcher && this.treeIno === ino)) return;
    this.treeWatcher?.close();
    this.treeIno = ino;
    try {
      this.treeWatcher = watch(this.opts.path, { recursive: true }, () => this.changed());
      this.treeWatcher.on('error', () => {
        this.treeWatcher?.close();
        this.treeWatcher = null;
        this.changed();
      });
    } catch {
      this.treeWatcher = null;
    }
  }

  private scheduleRearm(): void {
    this.parentWatcher?.close();
    this.parentWatcher = null;
    if (this.stopped || this.rearm) return;
    this.rearm = setTimeout(() => {
      this.rearm = null;
      this.armParent();
      this.changed();
    }, REARM_DELAY_MS);
  }
}
