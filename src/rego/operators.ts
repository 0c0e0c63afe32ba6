// The builtins OPA writes as infix operators, and their spelling (OPA's capabilities `infix`).
// `=` (eq) and `:=` (assign) are not builtins one can call; printers add them where they need them.
export const INFIX_OPERATORS: Readonly<Record<string, string>> = {
  equal: '==',
  neq: '!=',
  lt: '<',
  lte: '<=',
  gt: '>',
  gte: '>=',
  or: '|',
  and: '&',
  plus: '+',
  minus: '-',
  mul: '*',
  div: '/',
  rem: '%',
};
