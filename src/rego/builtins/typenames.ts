// is_number is_string is_boolean is_array is_set is_object is_null type_name.

import { typeName, type TypeName } from '../value.js';
import type { Builtin } from './types.js';
import { def } from './util.js';

function is(name: string, t: TypeName): Builtin {
  return def(name, ['any'], ([a]) => typeName(a) === t);
}

export const typenames: Builtin[] = [
  is('is_number', 'number'),
  is('is_string', 'string'),
  is('is_boolean', 'boolean'),
  is('is_array', 'array'),
  is('is_set', 'set'),
  is('is_object', 'object'),
  is('is_null', 'null'),
  def('type_name', ['any'], ([a]) => typeName(a)),
];
