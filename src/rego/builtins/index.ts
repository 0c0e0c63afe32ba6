// The builtin registry: every builtin function the Rego engine knows, by name.

import { aggregates } from './aggregates.js';
import { arithmetic } from './arithmetic.js';
import { arrays } from './arrays.js';
import { comparison } from './comparison.js';
import { encoding } from './encoding.js';
import { glob } from './glob.js';
import { objects } from './objects.js';
import { regex } from './regex.js';
import { sets } from './sets.js';
import { strings } from './strings.js';
import { time } from './time.js';
import type { Builtin } from './types.js';
import { typenames } from './typenames.js';

export type { Builtin, BuiltinContext } from './types.js';

const families: Builtin[][] = [aggregates, arithmetic, comparison, sets, strings, typenames, arrays, regex, glob, objects, encoding, time];

export const BUILTINS: Map<string, Builtin> = new Map();
for (const fam of families) {
  for (const b of fam) {
    if (BUILTINS.has(b.name)) throw new Error(`duplicate builtin ${b.name}`);
    BUILTINS.set(b.name, b);
  }
}
