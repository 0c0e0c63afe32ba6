// Links a plan into the wasm runtime (runtime.wasm, built by scripts/build-wasm-runtime.mjs): a
// copy of the module with one more active data segment at the exported constant
// __pdp_plan_base holding `u32 length (little-endian)` and the plan's UTF-8 JSON, which the
// runtime decodes at start. The memory import's minimum grows to cover the segment.
import { readFileSync } from 'node:fs';

export class LinkError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = 'LinkError';
    this.code = code;
  }
}

interface Section {
  id: number;
  /** the whole section: id, size and contents */
  start: number;
  /** the contents */
  body: number;
  end: number;
}

class Reader {
  constructor(
    readonly b: Uint8Array,
    public pos: number,
  ) {}
  byte(): number {
    if (this.pos >= this.b.length) throw new LinkError('truncated', 'wasm module: unexpected end');
    return this.b[this.pos++];
  }
  /** LEB128, unsigned or (signed) sign-extended from 32 bits */
  leb(signed = false): number {
    let result = 0;
    for (let shift = 0; ; shift += 7) {
      const x = this.byte();
      if (shift > 28 && x & 0x80) throw new LinkError('bad_leb128', 'wasm module: LEB128 too long');
      result += (x & 0x7f) * 2 ** shift;
      if ((x & 0x80) === 0) return signed && x & 0x40 && shift + 7 < 32 ? result - 2 ** (shift + 7) : signed ? result | 0 : result;
    }
  }
  name(): string {
    const n = this.leb();
    const s = new TextDecoder().decode(this.b.subarray(this.pos, this.pos + n));
    this.pos += n;
    return s;
  }
  /** skips a constant expression (up to its `end`), returning where it starts */
  constExpr(): number {
    const start = this.pos;
    for (let op = this.byte(); op !== 0x0b; op = this.byte()) {
      if (op === 0x41 || op === 0x42) while (this.byte() & 0x80);
      else if (op === 0x43) this.pos += 4;
      else if (op === 0x44) this.pos += 8;
      else if (op === 0x23 || op === 0xd2 || op === 0xd0) this.leb();
      else if (![0x6a, 0x6b, 0x6c, 0x7c, 0x7d, 0x7e].includes(op))
        throw new LinkError('bad_const_expr', `wasm module: opcode 0x${op.toString(16)} in a constant expression`);
    }
    return start;
  }
}

function u32(n: number): number[] {
  const out: number[] = [];
  do {
    let x = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) x |= 0x80;
    out.push(x);
  } while (n > 0);
  return out;
}

function s32(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const x = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (x & 0x40) === 0) || (n === -1 && (x & 0x40) !== 0)) return [...out, x];
    out.push(x | 0x80);
  }
}

function section(id: number, body: Uint8Array | number[]): Uint8Array {
  return Uint8Array.from([id, ...u32(body.length), ...body]);
}

function sectionsOf(module: Uint8Array): Section[] {
  if (module.length < 8 || module[0] !== 0 || module[1] !== 0x61 || module[2] !== 0x73 || module[3] !== 0x6d) {
    throw new LinkError('not_wasm', 'not a wasm module');
  }
  const sections: Section[] = [];
  for (const r = new Reader(module, 8); r.pos < module.length;) {
    const start = r.pos;
    const id = r.byte();
    const size = r.leb();
    if (r.pos + size > module.length) throw new LinkError('truncated', `wasm module: section ${id} runs past the end`);
    sections.push({ id, start, body: r.pos, end: r.pos + size });
    r.pos += size;
  }
  return sections;
}

interface MemoryImport {
  flagsAt: number;
  minEnd: number;
  min: number;
  max?: number;
}

/** The imported memory's limits and how many globals come before the module's own. */
function importsOf(module: Uint8Array, importSec: Section | undefined): { mem: MemoryImport; importedGlobals: number } {
  let importedGlobals = 0;
  let mem: MemoryImport | undefined;
  const ir = new Reader(module.subarray(0, importSec ? importSec.end : 0), importSec ? importSec.body : 0);
  for (let n = importSec ? ir.leb() : 0; n > 0; n--) {
    ir.name();
    ir.name();
    const kind = ir.byte();
    if (kind === 0) ir.leb();
    else if (kind === 1 || kind === 2) {
      if (kind === 1) ir.byte();
      const flagsAt = ir.pos;
      const flags = ir.byte();
      if (flags > 1 && kind === 2) throw new LinkError('unsupported_memory', 'wasm module: shared or 64-bit memory');
      const min = ir.leb();
      const minEnd = ir.pos;
      const max = flags & 1 ? ir.leb() : undefined;
      if (kind === 2) mem = { flagsAt, minEnd, min, max };
    } else if (kind === 3) {
      ir.byte();
      ir.byte();
      importedGlobals++;
    } else throw new LinkError('bad_import', `wasm module: import kind ${kind}`);
  }
  if (!mem) throw new LinkError('no_memory_import', 'wasm module: no memory import');
  return { mem, importedGlobals };
}

/** The pages of memory a module that imports its memory needs from its host (0: it imports none). */
export function memoryMinPages(module: Uint8Array): number {
  const sections = sectionsOf(module);
  try {
    return importsOf(
      module,
      sections.find((s) => s.id === 2),
    ).mem.min;
  } catch (e) {
    if (e instanceof LinkError && e.code === 'no_memory_import') return 0;
    throw e;
  }
}

/** A copy of the runtime with the plan stored; minPages: the memory the host must give (64 KiB pages). */
export function linkPlan(runtime: Uint8Array, planJson: string): { wasm: Uint8Array<ArrayBuffer>; minPages: number } {
  const sections = sectionsOf(runtime);
  const find = (id: number): Section | undefined => sections.find((s) => s.id === id);
  const reader = (s: Section | undefined): Reader => new Reader(runtime.subarray(0, s ? s.end : 0), s ? s.body : 0);
  const importSec = find(2);
  const { mem, importedGlobals } = importsOf(runtime, importSec);

  // the exported global __pdp_plan_base and its value
  const er = reader(find(7));
  let globalIndex = -1;
  for (let n = find(7) ? er.leb() : 0; n > 0; n--) {
    const name = er.name();
    const kind = er.byte();
    const index = er.leb();
    if (name === '__pdp_plan_base' && kind === 3) globalIndex = index;
  }
  if (globalIndex < importedGlobals) throw new LinkError('no_plan_base', 'wasm module: no exported global __pdp_plan_base of its own');
  const gr = reader(find(6));
  let base = -1;
  for (let n = find(6) ? gr.leb() : 0, i = importedGlobals; n > 0; n--, i++) {
    const type = gr.byte();
    const mutable = gr.byte();
    const at = gr.constExpr();
    if (i !== globalIndex) continue;
    if (type !== 0x7f || mutable !== 0 || runtime[at] !== 0x41) throw new LinkError('bad_plan_base', '__pdp_plan_base is not an i32 constant');
    base = new Reader(runtime, at + 1).leb(true);
  }
  if (base < 0) throw new LinkError('bad_plan_base', '__pdp_plan_base not found in the global section');

  // the segment, the data section with it, the data count, the memory minimum
  const plan = new TextEncoder().encode(planJson);
  const payload = new Uint8Array(4 + plan.length);
  new DataView(payload.buffer).setUint32(0, plan.length, true);
  payload.set(plan, 4);
  const segment = [0, 0x41, ...s32(base), 0x0b, ...u32(payload.length)];
  const dataSec = find(11);
  const dr = reader(dataSec);
  const count = dataSec ? dr.leb() : 0;
  const oldSegments = dataSec ? runtime.subarray(dr.pos, dataSec.end) : new Uint8Array(0);
  const newData = section(11, [...u32(count + 1), ...oldSegments, ...segment, ...payload]);
  const minPages = Math.max(mem.min, Math.ceil((base + payload.length) / 65536));
  if (mem.max !== undefined && minPages > mem.max) throw new LinkError('plan_too_large', `the plan needs ${minPages} pages, the memory allows ${mem.max}`);

  const parts: Uint8Array[] = [runtime.subarray(0, 8)];
  const anchor = dataSec ?? [...sections].reverse().find((s) => s.id === 10 || (s.id !== 0 && s.id < 10) || s.id === 12);
  if (!anchor) parts.push(newData);
  for (const s of sections) {
    if (s === dataSec) parts.push(newData);
    else if (s.id === 12) parts.push(section(12, u32(new Reader(runtime, s.body).leb() + 1)));
    else if (s === importSec && minPages !== mem.min) {
      parts.push(section(2, [...runtime.subarray(s.body, mem.flagsAt + 1), ...u32(minPages), ...runtime.subarray(mem.minEnd, s.end)]));
    } else parts.push(runtime.subarray(s.start, s.end));
    if (s === anchor && !dataSec) parts.push(newData);
  }
  const wasm = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    wasm.set(p, at);
    at += p.length;
  }
  return { wasm, minPages };
}

/** The runtime module next to this file (src/ when run from source, dist/ when built). */
export function runtimeWasm(): Uint8Array<ArrayBuffer> {
  return new Uint8Array(readFileSync(new URL('./runtime.wasm', import.meta.url)));
}
