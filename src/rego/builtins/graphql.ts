// graphql.* builtins. OPA parses with gqlparser and returns its AST as Go's encoding/json form
// of gqlparser's structs (QueryDocument, SchemaDocument: Go field names, enums as numbers or
// strings as gqlparser has them), pruned of `Position`, nulls and empty objects/arrays. Here the
// `graphql` package parses and validates, and its AST is mapped onto gqlparser's shape (and
// back, for AST objects passed in as arguments). Error texts follow OPA's framing
// ("<msg> in GraphQL string at location L:C"); the messages themselves are graphql-js's.

import { createRequire } from 'node:module';
import type {
  GraphQLError,
  Kind as K,
  ArgumentNode,
  ConstValueNode,
  DefinitionNode,
  DirectiveNode,
  DocumentNode,
  FieldDefinitionNode,
  InputValueDefinitionNode,
  SelectionNode,
  TypeNode,
  ValueNode,
} from 'graphql';
import { ObjectV, fromJSON, toJSON, type Value } from '../value.js';
import type { Builtin } from './types.js';
import { def, fail, strCost, typeErr } from './util.js';

// graphql is loaded on first use: it is large (~100 ms to load) and few policies call it.
type GraphQL = typeof import('graphql');
let loaded: GraphQL | undefined;
const gql = (): GraphQL => (loaded ??= createRequire(import.meta.url)('graphql') as GraphQL);
/** graphql's Kind enum, read from the module when first used. */
const Kind = new Proxy({} as GraphQL['Kind'], { get: (_, k) => gql().Kind[k as keyof GraphQL['Kind']] });
const isGraphQLError = (e: unknown): e is GraphQLError => e instanceof gql().GraphQLError;

type J = null | string | number | boolean | J[] | { [k: string]: J };

// ---- graphql-js AST → gqlparser JSON (before pruning) ----

const VALUE_KIND: Record<string, number> = {
  Variable: 0,
  IntValue: 1,
  FloatValue: 2,
  StringValue: 3,
  BooleanValue: 5,
  NullValue: 6,
  EnumValue: 7,
  ListValue: 8,
  ObjectValue: 9,
};

function gqValue(v: ValueNode | ConstValueNode | undefined): J {
  if (!v) return null;
  const base = { Definition: null, VariableDefinition: null, ExpectedType: null };
  switch (v.kind) {
    case Kind.VARIABLE:
      return { Raw: v.name.value, Children: [], Kind: 0, ...base };
    case Kind.INT:
    case Kind.FLOAT:
      return { Raw: v.value, Children: [], Kind: VALUE_KIND[v.kind], ...base };
    case Kind.STRING:
      return { Raw: v.value, Children: [], Kind: v.block ? 4 : 3, ...base };
    case Kind.BOOLEAN:
      return { Raw: String(v.value), Children: [], Kind: 5, ...base };
    case Kind.NULL:
      return { Raw: 'null', Children: [], Kind: 6, ...base };
    case Kind.ENUM:
      return { Raw: v.value, Children: [], Kind: 7, ...base };
    case Kind.LIST:
      return { Raw: '', Children: v.values.map((x) => ({ Name: '', Value: gqValue(x) })), Kind: 8, ...base };
    case Kind.OBJECT:
      return { Raw: '', Children: v.fields.map((f) => ({ Name: f.name.value, Value: gqValue(f.value) })), Kind: 9, ...base };
  }
}

function gqType(t: TypeNode | undefined): J {
  if (!t) return null;
  if (t.kind === Kind.NON_NULL_TYPE) return { ...(gqType(t.type) as Record<string, J>), NonNull: true };
  if (t.kind === Kind.LIST_TYPE) return { NamedType: '', Elem: gqType(t.type), NonNull: false };
  return { NamedType: t.name.value, Elem: null, NonNull: false };
}

const gqArgs = (as: readonly ArgumentNode[] | undefined): J => (as ?? []).map((a) => ({ Name: a.name.value, Value: gqValue(a.value) }));

const gqDirectives = (ds: readonly DirectiveNode[] | undefined): J =>
  (ds ?? []).map((d) => ({ Name: d.name.value, Arguments: gqArgs(d.arguments), ParentDefinition: null, Definition: null, Location: '' }));

function gqSelections(ss: readonly SelectionNode[] | undefined): J {
  return (ss ?? []).map((s): J => {
    if (s.kind === Kind.FIELD) {
      return {
        Alias: (s.alias ?? s.name).value,
        Name: s.name.value,
        Arguments: gqArgs(s.arguments),
        Directives: gqDirectives(s.directives),
        SelectionSet: gqSelections(s.selectionSet?.selections),
        Definition: null,
        ObjectDefinition: null,
      };
    }
    if (s.kind === Kind.FRAGMENT_SPREAD) return { Name: s.name.value, Directives: gqDirectives(s.directives), ObjectDefinition: null, Definition: null };
    return {
      TypeCondition: s.typeCondition?.name.value ?? '',
      Directives: gqDirectives(s.directives),
      SelectionSet: gqSelections(s.selectionSet.selections),
      ObjectDefinition: null,
    };
  });
}

function gqQuery(doc: DocumentNode): J {
  const ops: J[] = [];
  const frags: J[] = [];
  for (const d of doc.definitions) {
    if (d.kind === Kind.OPERATION_DEFINITION) {
      ops.push({
        Operation: d.operation,
        Name: d.name?.value ?? '',
        VariableDefinitions: (d.variableDefinitions ?? []).map((v) => ({
          Variable: v.variable.name.value,
          Type: gqType(v.type),
          DefaultValue: gqValue(v.defaultValue),
          Directives: gqDirectives(v.directives),
          Definition: null,
          Used: false,
        })),
        Directives: gqDirectives(d.directives),
        SelectionSet: gqSelections(d.selectionSet.selections),
      });
    } else if (d.kind === Kind.FRAGMENT_DEFINITION) {
      frags.push({
        Name: d.name.value,
        VariableDefinition: [],
        TypeCondition: d.typeCondition.name.value,
        Directives: gqDirectives(d.directives),
        SelectionSet: gqSelections(d.selectionSet.selections),
        Definition: null,
      });
    } else {
      throw new (gql().GraphQLError)(`Unexpected ${d.kind}`, { nodes: d });
    }
  }
  return { Operations: ops, Fragments: frags };
}

const desc = (n: { description?: { value: string } }): string => n.description?.value ?? '';

const gqArgDef = (a: InputValueDefinitionNode): J => ({
  Description: desc(a),
  Name: a.name.value,
  DefaultValue: gqValue(a.defaultValue),
  Type: gqType(a.type),
  Directives: gqDirectives(a.directives),
});

const gqFieldDef = (f: FieldDefinitionNode | InputValueDefinitionNode): J => ({
  Description: desc(f),
  Name: f.name.value,
  Arguments: 'arguments' in f ? (f.arguments ?? []).map(gqArgDef) : [],
  DefaultValue: 'defaultValue' in f ? gqValue(f.defaultValue) : null,
  Type: gqType(f.type),
  Directives: gqDirectives(f.directives),
});

const DEF_KIND: Record<string, string> = {
  ScalarTypeDefinition: 'SCALAR',
  ObjectTypeDefinition: 'OBJECT',
  InterfaceTypeDefinition: 'INTERFACE',
  UnionTypeDefinition: 'UNION',
  EnumTypeDefinition: 'ENUM',
  InputObjectTypeDefinition: 'INPUT_OBJECT',
  ScalarTypeExtension: 'SCALAR',
  ObjectTypeExtension: 'OBJECT',
  InterfaceTypeExtension: 'INTERFACE',
  UnionTypeExtension: 'UNION',
  EnumTypeExtension: 'ENUM',
  InputObjectTypeExtension: 'INPUT_OBJECT',
};

function gqDefinition(d: DefinitionNode): J {
  const n = d as DefinitionNode & Record<string, unknown>;
  const list = <T>(k: string): T[] => (n[k] as T[] | undefined) ?? [];
  return {
    Kind: DEF_KIND[d.kind],
    Description: desc(n as { description?: { value: string } }),
    Name: (n.name as { value: string }).value,
    Directives: gqDirectives(n.directives as DirectiveNode[] | undefined),
    Interfaces: list<{ name: { value: string } }>('interfaces').map((i) => i.name.value),
    Fields: list<FieldDefinitionNode | InputValueDefinitionNode>('fields').map(gqFieldDef),
    Types: list<{ name: { value: string } }>('types').map((i) => i.name.value),
    EnumValues: list<{ name: { value: string }; description?: { value: string }; directives?: DirectiveNode[] }>('values').map((v) => ({
      Description: desc(v),
      Name: v.name.value,
      Directives: gqDirectives(v.directives),
    })),
    BuiltIn: false,
  };
}

function gqSchema(doc: DocumentNode): J {
  const schema: J[] = [];
  const schemaExt: J[] = [];
  const directives: J[] = [];
  const defs: J[] = [];
  const exts: J[] = [];
  for (const d of doc.definitions) {
    switch (d.kind) {
      case Kind.SCHEMA_DEFINITION:
      case Kind.SCHEMA_EXTENSION:
        (d.kind === Kind.SCHEMA_DEFINITION ? schema : schemaExt).push({
          Description: d.kind === Kind.SCHEMA_DEFINITION ? desc(d) : '',
          Directives: gqDirectives(d.directives),
          OperationTypes: (d.operationTypes ?? []).map((o) => ({ Operation: o.operation, Type: o.type.name.value })),
        });
        break;
      case Kind.DIRECTIVE_DEFINITION:
        directives.push({
          Description: desc(d),
          Name: d.name.value,
          Arguments: (d.arguments ?? []).map(gqArgDef),
          Locations: d.locations.map((l) => l.value),
          IsRepeatable: d.repeatable,
        });
        break;
      default:
        if (d.kind.endsWith('Extension')) exts.push(gqDefinition(d));
        else if (DEF_KIND[d.kind]) defs.push(gqDefinition(d));
        else throw new (gql().GraphQLError)(`Unexpected ${d.kind}`, { nodes: d });
    }
  }
  return { Schema: schema, SchemaExtension: schemaExt, Directives: directives, Definitions: defs, Extensions: exts };
}

/** OPA's pruneIrrelevantGraphQLASTNodes: drop Position, nulls, and empty objects/arrays. */
function prune(v: J): J {
  if (Array.isArray(v)) {
    const out: J[] = [];
    for (const x of v) {
      if (x === null) continue;
      const p = typeof x === 'object' ? prune(x) : x;
      if (p !== null && typeof p === 'object' && (Array.isArray(p) ? p.length === 0 : Object.keys(p).length === 0)) continue;
      out.push(p);
    }
    return out;
  }
  if (v !== null && typeof v === 'object') {
    const out: Record<string, J> = {};
    for (const [k, x] of Object.entries(v)) {
      if (k === 'Position' || x === null) continue;
      const p = typeof x === 'object' ? prune(x) : x;
      if (p !== null && typeof p === 'object' && (Array.isArray(p) ? p.length === 0 : Object.keys(p).length === 0)) continue;
      out[k] = p;
    }
    return out;
  }
  return v;
}

// ---- gqlparser JSON (an AST object given as an argument) → graphql-js AST ----

class ShapeError extends Error {}

type R = Record<string, unknown>;
const rec = (x: unknown): R => (x !== null && typeof x === 'object' && !Array.isArray(x) ? (x as R) : {});
const arrOf = (x: unknown): unknown[] => (Array.isArray(x) ? x : []);
const sval = (x: unknown): string => (typeof x === 'string' ? x : '');
const name = (x: unknown): { kind: K.NAME; value: string } => {
  const v = sval(x);
  if (v === '') throw new ShapeError('missing Name');
  return { kind: Kind.NAME, value: v };
};

function jsValue(x: unknown): ValueNode {
  const v = rec(x);
  const raw = sval(v.Raw);
  switch (typeof v.Kind === 'number' ? v.Kind : 0) {
    case 0:
      return { kind: Kind.VARIABLE, name: name(raw) };
    case 1:
      return { kind: Kind.INT, value: raw };
    case 2:
      return { kind: Kind.FLOAT, value: raw };
    case 3:
    case 4:
      return { kind: Kind.STRING, value: raw };
    case 5:
      return { kind: Kind.BOOLEAN, value: raw === 'true' };
    case 6:
      return { kind: Kind.NULL };
    case 7:
      return { kind: Kind.ENUM, value: raw };
    case 8:
      return { kind: Kind.LIST, values: arrOf(v.Children).map((c) => jsValue(rec(c).Value)) };
    case 9:
      return { kind: Kind.OBJECT, fields: arrOf(v.Children).map((c) => ({ kind: Kind.OBJECT_FIELD, name: name(rec(c).Name), value: jsValue(rec(c).Value) })) };
    default:
      throw new ShapeError('unknown value kind');
  }
}

function jsType(x: unknown): TypeNode {
  const t = rec(x);
  const inner: TypeNode = t.Elem ? { kind: Kind.LIST_TYPE, type: jsType(t.Elem) } : { kind: Kind.NAMED_TYPE, name: name(t.NamedType) };
  return t.NonNull === true ? { kind: Kind.NON_NULL_TYPE, type: inner as Exclude<TypeNode, { kind: K.NON_NULL_TYPE }> } : inner;
}

const jsArgs = (x: unknown): ArgumentNode[] => arrOf(x).map((a) => ({ kind: Kind.ARGUMENT, name: name(rec(a).Name), value: jsValue(rec(a).Value) }));
const jsDirectives = (x: unknown): DirectiveNode[] =>
  arrOf(x).map((d) => ({ kind: Kind.DIRECTIVE, name: name(rec(d).Name), arguments: jsArgs(rec(d).Arguments) }));

function jsSelections(x: unknown): { kind: K.SELECTION_SET; selections: SelectionNode[] } {
  return {
    kind: Kind.SELECTION_SET,
    selections: arrOf(x).map((s0): SelectionNode => {
      const s = rec(s0);
      // gqlparser's decoder tells the selection kinds apart by their fields, as here.
      if ('TypeCondition' in s || ('SelectionSet' in s && !('Name' in s))) {
        return {
          kind: Kind.INLINE_FRAGMENT,
          typeCondition: sval(s.TypeCondition) ? { kind: Kind.NAMED_TYPE, name: name(s.TypeCondition) } : undefined,
          directives: jsDirectives(s.Directives),
          selectionSet: jsSelections(s.SelectionSet),
        };
      }
      if (!('Alias' in s) && !('Arguments' in s) && !('SelectionSet' in s)) {
        return { kind: Kind.FRAGMENT_SPREAD, name: name(s.Name), directives: jsDirectives(s.Directives) };
      }
      const alias = sval(s.Alias);
      const sel = arrOf(s.SelectionSet);
      return {
        kind: Kind.FIELD,
        alias: alias && alias !== sval(s.Name) ? { kind: Kind.NAME, value: alias } : undefined,
        name: name(s.Name),
        arguments: jsArgs(s.Arguments),
        directives: jsDirectives(s.Directives),
        selectionSet: sel.length ? jsSelections(sel) : undefined,
      };
    }),
  };
}

function jsQuery(o: R): DocumentNode {
  const defs: DefinitionNode[] = [];
  for (const op0 of arrOf(o.Operations)) {
    const op = rec(op0);
    const kind = sval(op.Operation) || 'query';
    if (!['query', 'mutation', 'subscription'].includes(kind)) throw new ShapeError('unknown operation');
    defs.push({
      kind: Kind.OPERATION_DEFINITION,
      operation: kind as never,
      name: sval(op.Name) ? name(op.Name) : undefined,
      variableDefinitions: arrOf(op.VariableDefinitions).map((v0) => {
        const v = rec(v0);
        return {
          kind: Kind.VARIABLE_DEFINITION,
          variable: { kind: Kind.VARIABLE, name: name(v.Variable) },
          type: jsType(v.Type),
          defaultValue: v.DefaultValue ? (jsValue(v.DefaultValue) as ConstValueNode) : undefined,
          directives: jsDirectives(v.Directives) as never,
        };
      }),
      directives: jsDirectives(op.Directives),
      selectionSet: jsSelections(op.SelectionSet),
    });
  }
  for (const f0 of arrOf(o.Fragments)) {
    const f = rec(f0);
    defs.push({
      kind: Kind.FRAGMENT_DEFINITION,
      name: name(f.Name),
      typeCondition: { kind: Kind.NAMED_TYPE, name: name(f.TypeCondition) },
      directives: jsDirectives(f.Directives),
      selectionSet: jsSelections(f.SelectionSet),
    });
  }
  return { kind: Kind.DOCUMENT, definitions: defs };
}

/** gqlparser's definition kinds → graphql-js node kinds (definition, extension). */
const JS_DEF_KIND: Record<string, [string, string]> = {
  SCALAR: ['ScalarTypeDefinition', 'ScalarTypeExtension'],
  OBJECT: ['ObjectTypeDefinition', 'ObjectTypeExtension'],
  INTERFACE: ['InterfaceTypeDefinition', 'InterfaceTypeExtension'],
  UNION: ['UnionTypeDefinition', 'UnionTypeExtension'],
  ENUM: ['EnumTypeDefinition', 'EnumTypeExtension'],
  INPUT_OBJECT: ['InputObjectTypeDefinition', 'InputObjectTypeExtension'],
};

const strNode = (s: unknown): { kind: K.STRING; value: string } | undefined => (sval(s) ? { kind: Kind.STRING, value: sval(s) } : undefined);

function jsInputValue(x: unknown): InputValueDefinitionNode {
  const a = rec(x);
  return {
    kind: Kind.INPUT_VALUE_DEFINITION,
    description: strNode(a.Description),
    name: name(a.Name),
    type: jsType(a.Type),
    defaultValue: a.DefaultValue ? (jsValue(a.DefaultValue) as ConstValueNode) : undefined,
    directives: jsDirectives(a.Directives) as never,
  };
}

function jsDefinition(x: unknown, ext: boolean): DefinitionNode {
  const d = rec(x);
  const kinds = JS_DEF_KIND[sval(d.Kind)];
  if (!kinds) throw new ShapeError('unknown definition kind');
  const kind = kinds[ext ? 1 : 0];
  const named = (n: unknown) => ({ kind: Kind.NAMED_TYPE, name: name(n) });
  const node: R = { kind, name: name(d.Name), directives: jsDirectives(d.Directives) };
  if (!ext) node.description = strNode(d.Description);
  if (sval(d.Kind) === 'OBJECT' || sval(d.Kind) === 'INTERFACE') {
    node.interfaces = arrOf(d.Interfaces).map(named);
    node.fields = arrOf(d.Fields).map((f0) => {
      const f = rec(f0);
      return {
        kind: Kind.FIELD_DEFINITION,
        description: strNode(f.Description),
        name: name(f.Name),
        arguments: arrOf(f.Arguments).map(jsInputValue),
        type: jsType(f.Type),
        directives: jsDirectives(f.Directives),
      };
    });
  } else if (sval(d.Kind) === 'INPUT_OBJECT') node.fields = arrOf(d.Fields).map(jsInputValue);
  else if (sval(d.Kind) === 'UNION') node.types = arrOf(d.Types).map(named);
  else if (sval(d.Kind) === 'ENUM') {
    node.values = arrOf(d.EnumValues).map((v0) => {
      const v = rec(v0);
      return { kind: Kind.ENUM_VALUE_DEFINITION, description: strNode(v.Description), name: name(v.Name), directives: jsDirectives(v.Directives) };
    });
  }
  return node as unknown as DefinitionNode;
}

function jsSchema(o: R): DocumentNode {
  const defs: DefinitionNode[] = [];
  const opTypes = (s: R) =>
    arrOf(s.OperationTypes).map((t0) => ({
      kind: Kind.OPERATION_TYPE_DEFINITION,
      operation: sval(rec(t0).Operation) as never,
      type: { kind: Kind.NAMED_TYPE, name: name(rec(t0).Type) },
    }));
  for (const s0 of arrOf(o.Schema)) {
    const s = rec(s0);
    defs.push({
      kind: Kind.SCHEMA_DEFINITION,
      description: strNode(s.Description),
      directives: jsDirectives(s.Directives) as never,
      operationTypes: opTypes(s),
    } as DefinitionNode);
  }
  for (const s0 of arrOf(o.SchemaExtension)) {
    const s = rec(s0);
    defs.push({ kind: Kind.SCHEMA_EXTENSION, directives: jsDirectives(s.Directives) as never, operationTypes: opTypes(s) } as DefinitionNode);
  }
  for (const d0 of arrOf(o.Directives)) {
    const d = rec(d0);
    defs.push({
      kind: Kind.DIRECTIVE_DEFINITION,
      description: strNode(d.Description),
      name: name(d.Name),
      arguments: arrOf(d.Arguments).map(jsInputValue),
      repeatable: d.IsRepeatable === true,
      locations: arrOf(d.Locations).map((l) => name(l)),
    } as DefinitionNode);
  }
  for (const d of arrOf(o.Definitions)) defs.push(jsDefinition(d, false));
  for (const d of arrOf(o.Extensions)) defs.push(jsDefinition(d, true));
  return { kind: Kind.DOCUMENT, definitions: defs };
}

// ---- the builtins ----

/** gqlparser's message with OPA's framing; graphql-js prefixes syntax errors and ends with '.'. */
function where(e: GraphQLError, what: string): Error {
  const loc = e.locations?.[0];
  const msg = e.message.replace(/^Syntax Error: /, '').replace(/\.$/, '');
  return fail(`${msg} in ${what} at location ${loc?.line ?? 0}:${loc?.column ?? 0}`);
}

/** Deepest nesting graphql-js is asked to parse: its parser recurses once per level. */
export const MAX_GRAPHQL_DEPTH = 256;

/** The deepest {[( nesting outside strings and comments (a bound, checked before parsing). */
function nestingDepth(src: string): number {
  let depth = 0;
  let max = 0;
  for (let i = 0; i < src.length; i++) {
    const c = src[i];
    if (c === '#') {
      while (i < src.length && src[i] !== '\n') i++;
    } else if (c === '"') {
      if (src.startsWith('"""', i)) {
        const end = src.indexOf('"""', i + 3);
        i = end < 0 ? src.length : end + 2;
      } else {
        let j = i + 1;
        while (j < src.length && src[j] !== '"' && src[j] !== '\n') j += src[j] === '\\' ? 2 : 1;
        i = j;
      }
    } else if (c === '{' || c === '[' || c === '(') max = Math.max(max, ++depth);
    else if (c === '}' || c === ']' || c === ')') depth--;
  }
  return max;
}

function parseWith(src: string, what: string): DocumentNode {
  if (nestingDepth(src) > MAX_GRAPHQL_DEPTH) throw fail(`${what} nests deeper than ${MAX_GRAPHQL_DEPTH} levels`);
  try {
    return gql().parse(src, { noLocation: false, maxTokens: 100_000 });
  } catch (e) {
    if (isGraphQLError(e)) throw where(e, what);
    throw e;
  }
}

function queryDoc(v: Value, pos: number): DocumentNode {
  if (typeof v === 'string') {
    const doc = parseWith(v, 'GraphQL string');
    for (const d of doc.definitions)
      if (d.kind !== Kind.OPERATION_DEFINITION && d.kind !== Kind.FRAGMENT_DEFINITION)
        throw fail(`Unexpected ${d.kind} in GraphQL string at location ${d.loc?.startToken.line ?? 0}:${d.loc?.startToken.column ?? 0}`);
    return doc;
  }
  if (v instanceof ObjectV) return fromObject(v, jsQuery);
  throw typeErr(pos, v, 'string', 'object');
}

function schemaDoc(v: Value, pos: number): DocumentNode {
  if (typeof v === 'string') {
    const doc = parseWith(v, 'GraphQL string');
    for (const d of doc.definitions)
      if (d.kind === Kind.OPERATION_DEFINITION || d.kind === Kind.FRAGMENT_DEFINITION)
        throw fail(`Unexpected ${d.kind} in GraphQL string at location ${d.loc?.startToken.line ?? 0}:${d.loc?.startToken.column ?? 0}`);
    return doc;
  }
  if (v instanceof ObjectV) return fromObject(v, jsSchema);
  throw typeErr(pos, v, 'string', 'object');
}

function fromObject(v: ObjectV, f: (o: R) => DocumentNode): DocumentNode {
  try {
    return f(rec(toJSON(v)));
  } catch (e) {
    if (e instanceof ShapeError) throw fail(`json: cannot unmarshal the AST object (${e.message})`);
    throw e;
  }
}

/** Validate the schema, then the query against it; throws the first problem. */
function check(query: DocumentNode, schema: DocumentNode): void {
  let s;
  try {
    s = gql().buildASTSchema(schema);
  } catch (e) {
    if (e instanceof Error) throw fail(`Error in gqlparser SchemaDocument to Schema conversion: ${e.message.replace(/\.$/, '')}`);
    throw e;
  }
  let errors: readonly GraphQLError[];
  try {
    errors = gql().validate(s, query);
  } catch (e) {
    // An invalid schema (e.g. no Query root type) is reported by validate's schema assertion.
    if (e instanceof Error) throw fail(`Error in gqlparser SchemaDocument to Schema conversion: ${e.message.replace(/\.$/, '')}`);
    throw e;
  }
  if (errors.length) throw where(errors[0], 'GraphQL query string');
}

const asValue = (j: J): Value => fromJSON(prune(j));

function safely<T>(f: () => T, otherwise: T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof Error && !(e instanceof RangeError && /call stack/i.test(e.message))) return otherwise;
    throw e;
  }
}

export const graphql: Builtin[] = [
  def('graphql.parse_query', ['string'], ([a], ctx) => {
    if (typeof a !== 'string') throw typeErr(1, a, 'string');
    ctx.checkBudget(strCost(a) * 4);
    return asValue(gqQuery(queryDoc(a, 1)));
  }),

  def('graphql.parse_schema', ['string'], ([a], ctx) => {
    if (typeof a !== 'string') throw typeErr(1, a, 'string');
    ctx.checkBudget(strCost(a) * 4);
    return asValue(gqSchema(schemaDoc(a, 1)));
  }),

  def('graphql.parse', ['string|object', 'string|object'], ([q, s], ctx) => {
    ctx.checkBudget((typeof q === 'string' ? strCost(q) : 1) * 4 + (typeof s === 'string' ? strCost(s) : 1) * 4);
    const qd = queryDoc(q, 1); // OPA reports operand 0 here; 1 is the first operand
    const sd = schemaDoc(s, 2);
    check(qd, sd);
    return [asValue(gqQuery(qd)), asValue(gqSchema(sd))];
  }),

  def('graphql.parse_and_verify', ['string|object', 'string|object'], ([q, s], ctx) => {
    ctx.checkBudget((typeof q === 'string' ? strCost(q) : 1) * 4 + (typeof s === 'string' ? strCost(s) : 1) * 4);
    const unverified: Value = [false, new ObjectV(), new ObjectV()];
    return safely(() => {
      const qd = queryDoc(q, 1);
      const sd = schemaDoc(s, 2);
      check(qd, sd);
      return [true, asValue(gqQuery(qd)), asValue(gqSchema(sd))] as Value;
    }, unverified);
  }),

  def('graphql.is_valid', ['string|object', 'string|object'], ([q, s], ctx) => {
    ctx.checkBudget((typeof q === 'string' ? strCost(q) : 1) * 4 + (typeof s === 'string' ? strCost(s) : 1) * 4);
    return safely(() => {
      check(queryDoc(q, 1), schemaDoc(s, 2));
      return true;
    }, false);
  }),

  def('graphql.schema_is_valid', ['string|object'], ([s], ctx) => {
    ctx.checkBudget((typeof s === 'string' ? strCost(s) : 1) * 4);
    return safely(() => {
      check({ kind: Kind.DOCUMENT, definitions: [] }, schemaDoc(s, 1));
      return true;
    }, false);
  }),
];
