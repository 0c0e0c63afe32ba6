// Runs every `*.test.ts` module of one test folder in the calling test process, in name order.
//
// Why: under tap (tsx, process info, coverage) a test process costs about 2.5 s of CPU to start
// and stop — more than most test files take to run. One process per folder (test/<folder>.test.ts)
// instead of one per file cut the suite's CPU by more than half. The modules share the root `t`;
// each still runs on its own: `npx tap test/rego/value.test.ts`. A file that sets process-wide
// state (the OpenTelemetry SDK's global providers) is named `*.own-process.test.ts`: tap runs it
// in a process of its own (package.json "tap"."include").
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';

export function importFolder(folder: URL): void {
  const names = readdirSync(fileURLToPath(folder))
    .filter((n) => n.endsWith('.test.ts') && !n.endsWith('.own-process.test.ts'))
    .sort();
  // The imports run inside a subtest of the root, so the root cannot end between two of them: a
  // module with a root-level t.teardown lets the root end as soon as it is idle, and tests a later
  // module adds after that are dropped ("cannot create subtest after parent test ends"), not
  // failed. The modules' own tests queue on the root and run after this one, in import order.
  t.test(`import ${names.length} test files of ${path.relative(process.cwd(), fileURLToPath(folder))}`, async (t) => {
    // A folder runner with nothing to import is a mistake (a renamed folder, a wrong URL).
    t.ok(names.length > 0, `test files found: ${names.join(', ')}`);
    for (const name of names) await import(new URL(name, folder).href);
  });
}
