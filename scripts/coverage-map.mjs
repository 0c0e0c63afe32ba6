// tap's coverage map (package.json "tap"."coverage-map"): every test file counts towards the
// coverage of src/ only — not of the tests, their helpers, bench/, scripts/ or node_modules.
export default () => 'src/**/*.ts';
