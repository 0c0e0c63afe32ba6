#!/usr/bin/env node
// Thin launcher: the CLI is compiled from src/cli by `npm run build` (run by `npm ci` via prepare).
// First, before the CLI's modules load (their garbage may be collected), one tick object is kept
// alive: see src/shared/tick-shape.ts.
import('../dist/shared/tick-shape.js')
  .then((t) => t.keepTickObjectShape())
  .then(() => import('../dist/cli/main.js'))
  .then((m) => m.main(process.argv.slice(2)))
  .then(
    (code) => {
      if (typeof code === 'number') process.exitCode = code;
    },
    (err) => {
      console.error(err instanceof Error ? err.message : err);
      process.exitCode = 2;
    },
  );
