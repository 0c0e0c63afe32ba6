#!/usr/bin/env node
// Builds the wasm runtime (src/rego/wasm/runtime/assembly/, AssemblyScript) into
// src/rego/wasm/runtime.wasm: OPA's wasm ABI over an interpreter of the plan that link.ts
// stores in the module. The output is committed; the same sources give the same bytes.
//
// The plan's address (__pdp_plan_base) must be a constant in the module, and it is
// __heap_base rounded up to 16, which the compiler only knows once it has laid out the static
// data: the first pass reads it (a transform looks at the compiled module), the second pass
// compiles with it and checks it did not move.
//
// Usage: node scripts/build-wasm-runtime.mjs                 compile (needs assemblyscript)
//        node scripts/build-wasm-runtime.mjs --copy-to-dist  only copy runtime.wasm to dist/
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const src = join(root, 'src/rego/wasm');
const out = join(src, 'runtime.wasm');

if (process.argv.includes('--copy-to-dist')) {
  const dest = join(root, 'dist/rego/wasm/runtime.wasm');
  await mkdir(dirname(dest), { recursive: true });
  await copyFile(out, dest);
  process.exit(0);
}

const { default: asc } = await import('assemblyscript/asc');

/** The SDK's imports: the module may import nothing else. */
const ALLOWED_IMPORTS = [
  'env.memory',
  'env.opa_abort',
  'env.opa_println',
  'env.opa_builtin0',
  'env.opa_builtin1',
  'env.opa_builtin2',
  'env.opa_builtin3',
  'env.opa_builtin4',
];

async function compile(planBase) {
  let heapBase = -1;
  // asc gives a transform class (not an object) its binaryen instance
  class HeapBase {
    afterCompile(module) {
      // the compiler's own global (present: rt.ts and index.ts read __heap_base)
      const g = module.getGlobal('~lib/memory/__heap_base');
      heapBase = this.binaryen.getExpressionInfo(this.binaryen.getGlobalInfo(g).init).value;
    }
  }
  const files = {};
  const { error, stderr } = await asc.main(
    [
      'index.ts',
      '--baseDir',
      join(src, 'runtime/assembly'),
      '--runtime',
      'rt',
      '--use',
      'abort=env/pdpAbort',
      '--use',
      `PDP_PLAN_BASE=${planBase}`,
      '--importMemory',
      '--noExportMemory',
      '-O3',
      '--noAssert',
      // no shadow stack: the runtime never collects, so nothing needs the roots it records
      // (0 means "the default" to asc; a non-positive size turns it off)
      '--stackSize',
      ' -1',
      '--outFile',
      'runtime.wasm',
    ],
    {
      transforms: [HeapBase],
      writeFile: (name, contents) => {
        files[name] = contents;
      },
    },
  );
  if (error) throw new Error(`asc failed: ${error.message}\n${stderr.toString()}`);
  if (heapBase < 0) throw new Error('asc: __heap_base not found');
  return { wasm: files['runtime.wasm'], heapBase };
}

const first = await compile(0);
const planBase = (first.heapBase + 15) & ~15;
const { wasm, heapBase } = await compile(planBase);
if (((heapBase + 15) & ~15) !== planBase) throw new Error(`__heap_base moved between the passes (${first.heapBase} → ${heapBase})`);

const mod = new WebAssembly.Module(wasm);
const imports = WebAssembly.Module.imports(mod).map((i) => `${i.module}.${i.name}`);
const extra = imports.filter((i) => !ALLOWED_IMPORTS.includes(i));
if (extra.length > 0) throw new Error(`runtime.wasm imports what the SDK does not provide: ${extra.join(', ')}`);

let same = false;
try {
  same = Buffer.compare(await readFile(out), Buffer.from(wasm)) === 0;
} catch {
  // no previous build
}
if (!same) await writeFile(out, wasm);
console.log(`${same ? 'unchanged' : 'wrote'} ${out} (${wasm.byteLength} bytes, plan base ${planBase})`);
