import t from 'tap';
import { ObjectV, type Value } from '../../src/rego/value.js';
import { call, err, show } from '../helpers/builtin-harness.js';

// The schema and query of OPA's graphql builtin documentation.
const schema = `
  type Employee {
    id: String!
    salary: Int!
  }
  schema {
    query: Query
  }
  type Query {
    employeeByID(id: String!): Employee
  }
`;
const query = 'query { employeeByID(id: "alice") { salary } }';

t.test('graphql.parse_query and parse_schema return gqlparser-shaped, pruned ASTs', async (t) => {
  t.equal(
    show(call('graphql.parse_query', query)),
    '{"Operations":[{"Name":"","Operation":"query","SelectionSet":[{"Alias":"employeeByID","Arguments":[{"Name":"id","Value":{"Kind":3,"Raw":"alice"}}],"Name":"employeeByID","SelectionSet":[{"Alias":"salary","Name":"salary"}]}]}]}',
  );
  const s = call('graphql.parse_schema', schema) as ObjectV;
  t.equal(show(s.getStr('Schema')), '[{"Description":"","OperationTypes":[{"Operation":"query","Type":"Query"}]}]');
  t.equal(
    show((s.getStr('Definitions') as Value[])[0]),
    '{"BuiltIn":false,"Description":"","Fields":[{"Description":"","Name":"id","Type":{"NamedType":"String","NonNull":true}},{"Description":"","Name":"salary","Type":{"NamedType":"Int","NonNull":true}}],"Kind":"OBJECT","Name":"Employee"}',
  );
  const q = call(
    'graphql.parse_query',
    'query Q($a: [Int!]! = [1]) @d(x: {a: $a, b: null, c: E}) { f: x(y: 1.5, s: """b""") { ...Fr ... on T { z } } } fragment Fr on T { w }',
  );
  t.equal(
    show((q as ObjectV).getStr('Operations')),
    '[{"Directives":[{"Arguments":[{"Name":"x","Value":{"Children":[{"Name":"a","Value":{"Kind":0,"Raw":"a"}},{"Name":"b","Value":{"Kind":6,"Raw":"null"}},{"Name":"c","Value":{"Kind":7,"Raw":"E"}}],"Kind":9,"Raw":""}}],"Location":"","Name":"d"}],"Name":"Q","Operation":"query","SelectionSet":[{"Alias":"f","Arguments":[{"Name":"y","Value":{"Kind":2,"Raw":"1.5"}},{"Name":"s","Value":{"Kind":4,"Raw":"b"}}],"Name":"x","SelectionSet":[{"Name":"Fr"},{"SelectionSet":[{"Alias":"z","Name":"z"}],"TypeCondition":"T"}]}],"VariableDefinitions":[{"DefaultValue":{"Children":[{"Name":"","Value":{"Kind":1,"Raw":"1"}}],"Kind":8,"Raw":""},"Type":{"Elem":{"NamedType":"Int","NonNull":true},"NamedType":"","NonNull":true},"Used":false,"Variable":"a"}]}]',
  );
  t.equal(show((q as ObjectV).getStr('Fragments')), '[{"Name":"Fr","SelectionSet":[{"Alias":"w","Name":"w"}],"TypeCondition":"T"}]');
  const all = call(
    'graphql.parse_schema',
    '"d" scalar S\ninterface I { a: Int }\ntype O implements I { a: Int }\nunion U = O\nenum E { A B }\ninput In { x: Int = 3 }\ndirective @dir(a: Int) repeatable on FIELD\nextend type O { b: Int }',
  ) as ObjectV;
  t.equal(
    show((all.getStr('Definitions') as Value[]).map((d) => (d as ObjectV).getStr('Kind') as Value)),
    '["SCALAR","INTERFACE","OBJECT","UNION","ENUM","INPUT_OBJECT"]',
  );
  t.equal(
    show(all.getStr('Directives')),
    '[{"Arguments":[{"Description":"","Name":"a","Type":{"NamedType":"Int","NonNull":false}}],"Description":"","IsRepeatable":true,"Locations":["FIELD"],"Name":"dir"}]',
  );
  t.equal(
    show(all.getStr('Extensions')),
    '[{"BuiltIn":false,"Description":"","Fields":[{"Description":"","Name":"b","Type":{"NamedType":"Int","NonNull":false}}],"Kind":"OBJECT","Name":"O"}]',
  );
});

t.test('validation: graphql.parse, parse_and_verify, is_valid, schema_is_valid', async (t) => {
  const [qa, sa] = call('graphql.parse', query, schema) as Value[];
  t.equal(show(qa), show(call('graphql.parse_query', query)));
  t.equal(show(sa), show(call('graphql.parse_schema', schema)));
  t.equal(call('graphql.is_valid', query, schema), true);
  t.equal(call('graphql.is_valid', qa, sa), true, 'AST objects are accepted back');
  t.equal(call('graphql.is_valid', call('graphql.parse_query', 'query { employeeByID(id: "a") { ... on Employee { id } } }') as Value, sa), true);
  t.equal(call('graphql.is_valid', 'query { nope }', schema), false);
  t.equal(call('graphql.is_valid', 'query {', schema), false);
  t.equal(call('graphql.is_valid', 1, schema), false);
  t.equal(
    call('graphql.is_valid', new ObjectV([['Operations', [new ObjectV([['SelectionSet', [new ObjectV([['Alias', 'x']])]]])]]]), sa),
    false,
    'a malformed AST object',
  );
  t.equal(show(call('graphql.parse_and_verify', query, schema)), show([true, qa, sa]));
  t.equal(show(call('graphql.parse_and_verify', 'query { nope }', schema)), '[false,{},{}]');
  t.equal(call('graphql.schema_is_valid', schema), true);
  t.equal(call('graphql.schema_is_valid', sa), true);
  t.equal(call('graphql.schema_is_valid', 'type Query { a: Nope }'), false);
  t.equal(call('graphql.schema_is_valid', 'type Query {'), false);
  t.equal(call('graphql.schema_is_valid', 7), false);
  t.equal(err('graphql.parse_query', 'query {').detail, 'graphql.parse_query: Expected Name, found <EOF> in GraphQL string at location 1:8');
  t.equal(
    err('graphql.parse', 'query { nope }', schema).detail,
    'graphql.parse: Cannot query field "nope" on type "Query" in GraphQL query string at location 1:9',
  );
  t.match(
    err('graphql.parse', query, 'type Query { a: Nope }').detail,
    /^graphql.parse: Error in gqlparser SchemaDocument to Schema conversion: Unknown type "Nope"/,
  );
  t.match(err('graphql.parse_schema', query).detail, /Unexpected OperationDefinition in GraphQL string at location 1:1/);
  t.match(err('graphql.parse_query', schema).detail, /Unexpected ObjectTypeDefinition/);
  t.equal(err('graphql.parse', 1, schema).detail, 'graphql.parse: operand 1 must be one of {string, object} but got number');
  t.equal(err('graphql.parse_query', 1).detail, 'graphql.parse_query: operand 1 must be string but got number');
});

t.test('hostile GraphQL input is bounded', async (t) => {
  t.match(err('graphql.parse_query', 'query { ' + 'a '.repeat(200_000) + '}').detail, /more than 100000 tokens/, 'graphql-js token limit');
  const deep = 'query { ' + 'a { '.repeat(3000) + 'b' + ' }'.repeat(3000) + ' }';
  t.equal(err('graphql.parse_query', deep).detail, 'graphql.parse_query: GraphQL string nests deeper than 256 levels');
  t.equal(call('graphql.is_valid', deep, schema), false);
  const ok = 'query { ' + 'a { '.repeat(100) + 'b' + ' }'.repeat(100) + ' }';
  t.equal(typeof call('graphql.parse_query', ok), 'object', 'deep but within the bound');
  const tricky = 'query { a(s: "{{{{ \\" [[[", t: """ ((( """) # {{{{\n }';
  t.equal(typeof call('graphql.parse_query', tricky), 'object', 'brackets in strings and comments do not count');
});
