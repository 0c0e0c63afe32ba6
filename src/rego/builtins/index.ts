// The builtin registry: every builtin function the Rego engine knows, by name.

import { aggregates } from './aggregates.js';
import { arithmetic } from './arithmetic.js';
import { arrays } from './arrays.js';
import { bits } from './bits.js';
import { cidrmerge } from './cidrmerge.js';
import { comparison } from './comparison.js';
import { conversions } from './conversions.js';
import { crypto } from './crypto.js';
import { deprecated } from './deprecated.js';
import { encoding } from './encoding.js';
import { glob } from './glob.js';
import { globsmatch } from './globsmatch.js';
import { graph } from './graph.js';
import { graphql } from './graphql.js';
import { jsonschema } from './jsonschema.js';
import { jwt } from './jwt.js';
import { misc } from './misc.js';
import { net } from './net.js';
import { objects } from './objects.js';
import { providers } from './providers.js';
import { regex } from './regex.js';
import { renderTemplate } from './render-template.js';
import { rego } from './rego.js';
import { semver } from './semver.js';
import { sets } from './sets.js';
import { strings } from './strings.js';
import { templateString } from './template-string.js';
import { time } from './time.js';
import type { Builtin } from './types.js';
import { typenames } from './typenames.js';
import { units } from './units.js';
import { uri } from './uri.js';
import { x509 } from './x509.js';
import { uuid } from './uuid.js';

export type { Builtin, BuiltinContext } from './types.js';
export { RELATIONS, walkNodes } from './walk.js';
export { UNSUPPORTED_BUILTINS, type Unsupported } from './unsupported.js';
export { printText } from './misc.js';

const families: Builtin[][] = [
  aggregates,
  arithmetic,
  comparison,
  sets,
  strings,
  renderTemplate,
  typenames,
  arrays,
  regex,
  glob,
  globsmatch,
  objects,
  graph,
  graphql,
  encoding,
  jsonschema,
  time,
  semver,
  units,
  uuid,
  uri,
  bits,
  net,
  cidrmerge,
  crypto,
  x509,
  jwt,
  providers,
  conversions,
  misc,
  templateString,
  rego,
  deprecated,
];

export const BUILTINS: Map<string, Builtin> = new Map();
for (const fam of families) {
  for (const b of fam) {
    if (BUILTINS.has(b.name)) throw new Error(`duplicate builtin ${b.name}`);
    BUILTINS.set(b.name, b);
  }
}
