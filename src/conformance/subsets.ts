// Named subsets of a conformance folder, reported on their own. "Priority 1" is the list of
// core-language folders in ../shared/conformance/README.md.
export interface Subset {
  name: string;
  folder: string;
  groups: readonly string[];
}

export const PRIORITY_1: Subset = {
  name: 'priority-1 (core language)',
  folder: 'opa-v1',
  groups: [
    'helloworld', 'example', 'completedoc', 'partialsetdoc', 'partialobjectdoc', 'partialdocconstants',
    'partialiter', 'defaultkeyword', 'elsekeyword', 'functions', 'functionerrors', 'every',
    'containskeyword', 'comprehensions', 'negation', 'disjunction', 'withkeyword', 'refheads',
    'assignments', 'eqexpr', 'comparisonexpr', 'evaltermexpr', 'baseandvirtualdocs', 'virtualdocs',
    'embeddedvirtualdoc', 'dataderef', 'compositebasedereference', 'compositereferences',
    'indirectreferences', 'nestedreferences', 'varreferences', 'inputvalues', 'indexing', 'undos',
    'topdowndynamicdispatch', 'fix1863',
  ],
};

export const PRIORITY_2: Subset = {
  name: 'priority-2 (builtins)',
  folder: 'opa-v1',
  groups: ['aggregates', 'sets', 'union', 'intersection', 'strings'],
};

export const DEFAULT_SUBSETS: readonly Subset[] = [PRIORITY_1, PRIORITY_2];
