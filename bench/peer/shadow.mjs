// The shadow checkout bench:peer runs the harness against: a temporary directory of symlinks to
// a checkout whose examples/tool-call holds every example except those the harness's Cerbos
// translation cannot express (the harness aborts when the PDP and that translation disagree on
// an example body). Service, policies and dist/ stay the checkout's own.
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Examples the harness's Cerbos translation (policies/cerbos-full.yaml) cannot decide as the PDP does. */
export const UNTRANSLATABLE = [
  {
    file: 'pii-nested-to-webhook.deny.json',
    reason: 'PII nested three levels deep in arguments.payload; the Cerbos translation scans top-level arguments only, so it allows what the PDP denies',
  },
];

/** A temporary checkout: symlinks to this one, examples/tool-call copied minus UNTRANSLATABLE. */
export function shadowCheckout(root) {
  const dir = mkdtempSync(join(tmpdir(), 'pdp-peer-shadow-'));
  // .git is left out on purpose: git would see the shadow's symlinks and missing examples as changes.
  for (const e of readdirSync(root)) if (e !== 'examples' && e !== '.git') symlinkSync(join(root, e), join(dir, e));
  mkdirSync(join(dir, 'examples'));
  for (const e of readdirSync(join(root, 'examples'))) if (e !== 'tool-call') symlinkSync(join(root, 'examples', e), join(dir, 'examples', e));
  mkdirSync(join(dir, 'examples', 'tool-call'));
  const skip = new Set(UNTRANSLATABLE.map((u) => u.file));
  let copied = 0;
  for (const f of readdirSync(join(root, 'examples', 'tool-call'))) {
    if (skip.has(f)) continue;
    copyFileSync(join(root, 'examples', 'tool-call', f), join(dir, 'examples', 'tool-call', f));
    if (f.endsWith('.json')) copied++;
  }
  return { dir, copied };
}
