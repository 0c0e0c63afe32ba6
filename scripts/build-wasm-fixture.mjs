#!/usr/bin/env node
// Builds a tiny WebAssembly module that speaks the OPA wasm ABI (1.x) well enough for the
// @open-policy-agent/opa-wasm package, so the opa-wasm engine adapter can be tested without the
// `opa` binary (which cannot be installed here). It is NOT an OPA-compiled policy: its "values"
// are raw JSON strings, and its entrypoints are hand-written:
//
//   fixture/allow      [{"result": true}] when the input JSON contains `"allow":true`, else false
//   fixture/data       [{"result": <data>}]  (proves setData reached the module)
//   fixture/input      [{"result": <input>}] (undefined without input)
//   fixture/undefined  []                     (an undefined decision)
//   fixture/abort      calls opa_abort        (how OPA modules report internal errors)
//   fixture/trap       executes `unreachable` (a wasm trap)
//   fixture/loop       never returns (a policy that does not terminate)
//
// Usage: node scripts/build-wasm-fixture.mjs [out.wasm] [--minor=1|2] [--builtins='{"time.now_ns":0}']
// or import { buildWasmFixture } from this file.
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import wabtInit from 'wabt';

export const FIXTURE_ENTRYPOINTS = ['fixture/allow', 'fixture/data', 'fixture/input', 'fixture/undefined', 'fixture/abort', 'fixture/trap', 'fixture/loop'];

/**
 * @param {{ minorVersion?: number, builtins?: Record<string, number>, entrypointPrefix?: string, hangOnLoad?: boolean, loadSpin?: number }} [opts]
 *   minorVersion 2 (default) makes the package use the one-call `opa_eval` fast path; 1 makes it use
 *   the older opa_eval_ctx_* calls. `entrypointPrefix` replaces "fixture" in the entrypoint names.
 *   `hangOnLoad`: the module's start function never returns (its instantiation never ends).
 *   `loadSpin`: the start function counts down from this number first (a load that takes a while).
 * @returns {Promise<Uint8Array>}
 */
export async function buildWasmFixture(opts = {}) {
  const wabt = await wabtInit();
  const mod = wabt.parseWat('fixture.wat', fixtureWat(opts), { bulk_memory: true, mutable_globals: true });
  try {
    mod.validate();
    return mod.toBinary({}).buffer;
  } finally {
    mod.destroy();
  }
}

function fixtureWat({ minorVersion = 2, builtins = {}, entrypointPrefix = 'fixture', hangOnLoad = false, loadSpin = 0 } = {}) {
  const enc = new TextEncoder();
  // Static values: [u32 length][bytes][NUL], laid out from address 16.
  const statics = {};
  const segments = [];
  let at = 16;
  const addValue = (name, text) => {
    const bytes = enc.encode(text);
    const buf = new Uint8Array(4 + bytes.length + 1);
    new DataView(buf.buffer).setUint32(0, bytes.length, true);
    buf.set(bytes, 4);
    statics[name] = { addr: at, len: bytes.length };
    segments.push(`(data (i32.const ${at}) "${[...buf].map((b) => '\\' + b.toString(16).padStart(2, '0')).join('')}")`);
    at += buf.length + ((4 - (buf.length % 4)) % 4);
  };
  const eps = Object.fromEntries(FIXTURE_ENTRYPOINTS.map((e, i) => [e.replace(/^fixture/, entrypointPrefix), i]));
  addValue('entrypoints', JSON.stringify(eps));
  addValue('builtins', JSON.stringify(builtins));
  addValue('undef', '[]');
  addValue('yes', '[{"result":true}]');
  addValue('no', '[{"result":false}]');
  addValue('prefix', '[{"result":');
  addValue('suffix', '}]');
  addValue('pattern', '"allow":true');
  addValue('abortmsg', 'fixture abort: the policy asked to abort');
  addValue('oom', 'fixture: out of memory');
  const heapStart = Math.ceil(at / 1024) * 1024;
  const s = (n) => statics[n].addr;

  return `(module
  (import "env" "memory" (memory 2))
  (import "env" "opa_abort" (func $opa_abort (param i32)))
  (import "env" "opa_println" (func $opa_println (param i32)))
  (import "env" "opa_builtin0" (func $opa_builtin0 (param i32 i32) (result i32)))
  (import "env" "opa_builtin1" (func $opa_builtin1 (param i32 i32 i32) (result i32)))
  (import "env" "opa_builtin2" (func $opa_builtin2 (param i32 i32 i32 i32) (result i32)))
  (import "env" "opa_builtin3" (func $opa_builtin3 (param i32 i32 i32 i32 i32) (result i32)))
  (import "env" "opa_builtin4" (func $opa_builtin4 (param i32 i32 i32 i32 i32 i32) (result i32)))
  (global $heap (mut i32) (i32.const ${heapStart}))
  (global (export "opa_wasm_abi_version") i32 (i32.const 1))
  (global (export "opa_wasm_abi_minor_version") i32 (i32.const ${minorVersion}))
  (export "memory" (memory 0))
  ${segments.join('\n  ')}

  ;; bump allocator; grows memory on demand and aborts when it cannot
  (func $alloc (export "opa_malloc") (param $n i32) (result i32)
    (local $p i32) (local $need i32)
    (local.set $p (global.get $heap))
    (global.set $heap (i32.and (i32.add (i32.add (local.get $p) (local.get $n)) (i32.const 3)) (i32.const -4)))
    (local.set $need (i32.sub (global.get $heap) (i32.mul (memory.size) (i32.const 65536))))
    (if (i32.gt_s (local.get $need) (i32.const 0))
      (then
        (if (i32.eq (memory.grow (i32.div_u (i32.add (local.get $need) (i32.const 65535)) (i32.const 65536))) (i32.const -1))
          (then (call $opa_abort (i32.add (i32.const ${s('oom')}) (i32.const 4))) (unreachable)))))
    (local.get $p))
  (func (export "opa_free") (param i32))
  (func (export "opa_heap_ptr_get") (result i32) (global.get $heap))
  (func (export "opa_heap_ptr_set") (param i32) (global.set $heap (local.get 0)))

  ;; a value is [u32 length][JSON bytes][NUL]; parsing just copies the text
  (func $mkvalue (param $src i32) (param $len i32) (result i32)
    (local $v i32)
    (local.set $v (call $alloc (i32.add (local.get $len) (i32.const 5))))
    (i32.store (local.get $v) (local.get $len))
    (memory.copy (i32.add (local.get $v) (i32.const 4)) (local.get $src) (local.get $len))
    (i32.store8 (i32.add (i32.add (local.get $v) (i32.const 4)) (local.get $len)) (i32.const 0))
    (local.get $v))
  (func (export "opa_json_parse") (param i32 i32) (result i32) (call $mkvalue (local.get 0) (local.get 1)))
  (func (export "opa_value_parse") (param i32 i32) (result i32) (call $mkvalue (local.get 0) (local.get 1)))
  (func $dump (export "opa_json_dump") (param i32) (result i32) (i32.add (local.get 0) (i32.const 4)))
  (func (export "opa_value_dump") (param i32) (result i32) (i32.add (local.get 0) (i32.const 4)))
  (func (export "builtins") (result i32) (i32.const ${s('builtins')}))
  (func (export "entrypoints") (result i32) (i32.const ${s('entrypoints')}))

  ;; [{"result":<v>}] as a new value
  (func $wrap (param $v i32) (result i32)
    (local $out i32) (local $n i32) (local $p i32) (local $s i32)
    (local.set $n (i32.add (i32.add (i32.const ${statics.prefix.len}) (i32.load (local.get $v))) (i32.const ${statics.suffix.len})))
    (local.set $out (call $alloc (i32.add (local.get $n) (i32.const 5))))
    (i32.store (local.get $out) (local.get $n))
    (local.set $p (i32.add (local.get $out) (i32.const 4)))
    (memory.copy (local.get $p) (i32.const ${s('prefix') + 4}) (i32.const ${statics.prefix.len}))
    (local.set $p (i32.add (local.get $p) (i32.const ${statics.prefix.len})))
    (memory.copy (local.get $p) (i32.add (local.get $v) (i32.const 4)) (i32.load (local.get $v)))
    (local.set $p (i32.add (local.get $p) (i32.load (local.get $v))))
    (memory.copy (local.get $p) (i32.const ${s('suffix') + 4}) (i32.const ${statics.suffix.len}))
    (i32.store8 (i32.add (local.get $p) (i32.const ${statics.suffix.len})) (i32.const 0))
    (local.get $out))

  ;; does value $v's text contain the static pattern?
  (func $contains (param $v i32) (result i32)
    (local $i i32) (local $j i32) (local $n i32) (local $m i32)
    (local.set $n (i32.load (local.get $v)))
    (local.set $m (i32.const ${statics.pattern.len}))
    (block $none
      (loop $outer
        (br_if $none (i32.gt_s (i32.add (local.get $i) (local.get $m)) (local.get $n)))
        (local.set $j (i32.const 0))
        (block $miss
          (loop $inner
            (if (i32.ge_u (local.get $j) (local.get $m)) (then (return (i32.const 1))))
            (br_if $miss (i32.ne
              (i32.load8_u (i32.add (i32.add (local.get $v) (i32.const 4)) (i32.add (local.get $i) (local.get $j))))
              (i32.load8_u (i32.add (i32.const ${s('pattern') + 4}) (local.get $j)))))
            (local.set $j (i32.add (local.get $j) (i32.const 1)))
            (br $inner)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $outer)))
    (i32.const 0))

  (func $run (param $ep i32) (param $data i32) (param $input i32) (result i32)
    (if (i32.eq (local.get $ep) (i32.const 0))
      (then (if (i32.and (i32.ne (local.get $input) (i32.const 0)) (call $contains (local.get $input)))
        (then (return (i32.const ${s('yes')}))) (else (return (i32.const ${s('no')}))))))
    (if (i32.eq (local.get $ep) (i32.const 1))
      (then (if (i32.eqz (local.get $data)) (then (return (i32.const ${s('undef')})))) (return (call $wrap (local.get $data)))))
    (if (i32.eq (local.get $ep) (i32.const 2))
      (then (if (i32.eqz (local.get $input)) (then (return (i32.const ${s('undef')})))) (return (call $wrap (local.get $input)))))
    (if (i32.eq (local.get $ep) (i32.const 3)) (then (return (i32.const ${s('undef')}))))
    (if (i32.eq (local.get $ep) (i32.const 4)) (then (call $opa_abort (i32.const ${s('abortmsg') + 4})) (unreachable)))
    (if (i32.eq (local.get $ep) (i32.const 6)) (then (loop $forever (br $forever))))
    (unreachable))

  ;; ABI 1.0 path: context = [input][data][entrypoint][result]
  (func (export "opa_eval_ctx_new") (result i32)
    (local $c i32)
    (local.set $c (call $alloc (i32.const 16)))
    (memory.fill (local.get $c) (i32.const 0) (i32.const 16))
    (local.get $c))
  (func (export "opa_eval_ctx_set_input") (param i32 i32) (i32.store (local.get 0) (local.get 1)))
  (func (export "opa_eval_ctx_set_data") (param i32 i32) (i32.store offset=4 (local.get 0) (local.get 1)))
  (func (export "opa_eval_ctx_set_entrypoint") (param i32 i32) (i32.store offset=8 (local.get 0) (local.get 1)))
  (func (export "opa_eval_ctx_get_result") (param i32) (result i32) (i32.load offset=12 (local.get 0)))
  (func (export "eval") (param $c i32) (result i32)
    (i32.store offset=12 (local.get $c)
      (call $run (i32.load offset=8 (local.get $c)) (i32.load offset=4 (local.get $c)) (i32.load (local.get $c))))
    (i32.const 0))

  ;; ABI 1.2 fast path: input arrives as JSON text, the result leaves as JSON text
  (func (export "opa_eval") (param $reserved i32) (param $ep i32) (param $data i32) (param $in i32) (param $inlen i32) (param $heapptr i32) (param $format i32) (result i32)
    (local $input i32)
    (global.set $heap (local.get $heapptr))
    (if (i32.ne (local.get $inlen) (i32.const 0))
      (then (local.set $input (call $mkvalue (local.get $in) (local.get $inlen)))))
    (call $dump (call $run (local.get $ep) (local.get $data) (local.get $input))))${
      hangOnLoad
        ? `
  (func $hang (loop $forever (br $forever)))
  (start $hang)`
        : loadSpin > 0
          ? `
  (func $spin (local $i i32)
    (local.set $i (i32.const ${Math.floor(loadSpin)}))
    (loop $down (br_if $down (local.tee $i (i32.sub (local.get $i) (i32.const 1))))))
  (start $spin)`
          : ''
    }
)`;
}

const isMain = process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  const here = dirname(fileURLToPath(import.meta.url));
  const args = process.argv.slice(2);
  const out = args.find((a) => !a.startsWith('--')) ?? resolve(here, '../test/fixtures/wasm/policy.wasm');
  const minor = Number(args.find((a) => a.startsWith('--minor='))?.slice(8) ?? 2);
  const builtins = JSON.parse(args.find((a) => a.startsWith('--builtins='))?.slice(11) ?? '{}');
  const bytes = await buildWasmFixture({ minorVersion: minor, builtins });
  await mkdir(dirname(out), { recursive: true });
  await writeFile(out, bytes);
  console.log(`wrote ${out} (${bytes.length} bytes, ABI 1.${minor})`);
}
