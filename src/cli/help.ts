// Help texts for `pdp --help` and `pdp <command> --help`.
export const HELP: Record<string, string> = {
  '': `pdp: the AI-governance policy decision point

Usage: pdp <command> [options]

Commands:
  serve          start the decision service
  config         print the effective configuration (secrets redacted)
  test           run Rego unit tests (test_* rules)
  check          check policies compile (opa check); a service bundle's decisions fail closed
  eval           evaluate a Rego query
  fmt            format Rego files in OPA's canonical layout (opa fmt)
  bench          time a query (opa bench): iterations and ns/op
  inspect        show a bundle's manifest, namespaces and annotations (opa inspect)
  bundle build   build an OPA bundle (.tar.gz) from a directory (optionally signed, or -t wasm)
  bundle sign    write OPA's .signatures.json for a bundle directory
  conformance    run the OPA-format Rego conformance suites against the built-in engine
  capabilities   the builtins the built-in engine supports (OPA capabilities JSON) and their status
  auth new-key   make an API key for a caller and the entry that configures it
  gate           release gate: decide a model release, exit 0 allow / 1 deny / 2 could not decide

Run \`pdp <command> --help\` for a command's options. docs/cli.md compares them with OPA's CLI.
`,
  bench: `Usage: pdp bench [-d <path>]... [-b <bundle>]... [-i <input>] [--count N] [--benchtime D] [-f pretty|json] <query>

Evaluates <query> (loaded as \`pdp eval\` loads it) repeatedly, as \`opa bench\`: the number of
iterations grows (as Go's testing.Benchmark grows it) until one run lasts --benchtime (default
1s); prints samples and ns/op, or with --format json Go's benchmark result {"N", "T" (ns),
"Extra": {"ns/op"}}. No B/op or allocs/op: JavaScript has no per-call allocation counter.

  --count N        repeat the whole benchmark N times (one result each; default 1)
  --benchtime D    target duration of a run in Go's syntax (default 1s)
`,
  inspect: `Usage: pdp inspect <bundle dir|bundle.tar.gz> [--format pretty|json] [--v0-compatible]

Shows what a bundle holds, as \`opa inspect\`: the manifest (revision, roots, rego_version,
metadata), the namespaces (each package and the files that declare it) and the METADATA
annotations (path, location, annotation). --format json prints OPA's shape:
{"manifest": {...}, "namespaces": {"data.a.b": ["file.rego"]}, "annotations": [{location, path, annotations}]}.
Exit 2 when a module does not parse.
`,
  fmt: `Usage: pdp fmt <path>... [-w | -l | -d] [--fail] [--v0-compatible | --v0-v1]

Formats .rego files (a directory: every .rego below it) in OPA's canonical layout, as
\`opa fmt\`: tab indentation, \`:=\`, \`if\` and \`contains\` in Rego v1, import groups sorted,
\`future.keywords\` and \`rego.v1\` imports dropped (v1 needs neither), one blank line between
rules (one-line rules written on adjacent lines stay together), parentheses only where written or
needed, composites and calls written over several lines kept one source line per line with a
trailing comma, comments kept. Without a flag the formatted text is printed.

  -w, --write        rewrite each file that changes
  -l, --list         print the names of the files that would change
  -d, --diff         print a unified diff of the changes
  --fail             exit 1 when any file would change (for CI, with -l or -d)
  --v0-compatible    read and write Rego v0 (rules without if/contains unless imported)
  --v0-v1            read Rego v0, write Rego v1

Exit status: 0, 1 with --fail when a file would change, 2 when a file does not parse
(each error is printed; the other files are still formatted).
`,
  gate: `Usage: pdp gate model-deployment <request.json|yaml> (-b BUNDLE | --url URL) [options]
       pdp gate model-deployment --from mlflow|sagemaker <record.json> --environment ENV (-b BUNDLE | --url URL) [options]

Decides a model release with the model-deployment policy — the same answer as
POST /v1/decisions/model-deployment and the admission webhook — and prints it. The request is a
model-deployment request document, or a registry record: an MLflow ModelVersion (the
model-versions/get answer) or a SageMaker DescribeModelPackage answer, whose tags / metadata
properties carry the governance fields (docs/ci.md).

  -b, --bundle PATH       decide here, on this bundle (directory or .tar.gz)
  --url URL               ask a running service (needs scope decide:model-deployment; with
                          decisions:read too, valid_until is shown)
  --token T | --token-file F | --token-env VAR   bearer credential for --url
  --ca FILE               PEM CA for an https:// URL with a private CA
  --from mlflow|sagemaker the file is a registry record
  -e, --environment ENV   deployment target (required with --from; overrides the file's)
  --exposure X, --region R, --cluster C, --namespace N
  --requester ID, --roles R1,R2   who releases (default with --from: the record's creator)
  -f, --format FORMAT     text (default), json, junit, sarif, markdown
  --timeout MS            evaluation / service budget (default 10000)

Exit status: 0 allow, 1 deny, 2 could not decide (bad input, service unreachable or refusing,
no policy, MLflow version not READY). A SageMaker package that is Rejected is a deny.
`,
  serve: `Usage: pdp serve [--config FILE]

Start the HTTP decision service, configured by defaults < the config file (--config, else
PDP_CONFIG; YAML or JSON) < environment variables (docs/operations.md lists every setting). The
file may be OPA's configuration file (services, bundles, keys, decision_logs, labels, …): it is
recognised and mapped onto the same settings (docs/opa-config.md). A bad value stops the start
with every problem listed (exit 2).

  -c, --config FILE     the config file (--config-file, OPA's name, works too)
`,
  auth: `Usage: pdp auth new-key --name NAME [--scopes S1,S2,…] [--add-to FILE] [--format text|json]

Makes a random API key (pdp_ + 256 bits, base64url) for the caller NAME. The key is printed once
on stdout and stored nowhere; the entry that configures it — {"name", "sha256", "scopes"}, the
key's sha256 only — is printed on stderr, or appended to FILE (a JSON list, the file
PDP_AUTH_API_KEYS_FILE names; written owner-only). Callers send Authorization: Bearer <key>.

  --name NAME        the caller id recorded with every decision this key makes
  --scopes LIST      comma-separated: decide:tool-call, decide:model-deployment,
                     data:read:<path> (or data:read:*), decisions:read, status:read,
                     metrics:read, config:read, decide:authzen, search:authzen,
                     assert:on-behalf-of
  --add-to FILE      append the entry to FILE (refuses a second key of the same name)
  -f, --format json  {"key", "entry"} on stdout instead
`,
  config: `Usage: pdp config [--format yaml|json] [--config FILE]

Print the effective configuration that \`pdp serve\` would run with (defaults < PDP_CONFIG file
< environment), validated the same way, with passwords, tokens, keys and header values
redacted. Exit 2 with every problem listed when the configuration is invalid.
`,
  test: `Usage: pdp test <path>... [-b <bundle>]... [--ignore PATTERN]... [--v0-compatible]
                [--format pretty|json] [--run REGEX] [-v] [--timeout DURATION] [--count N] [--bench]
                [-z] [--fail-on-empty] [--coverage] [--threshold PCT]

Loads policies and data as \`opa test\` does, and runs every test_* rule. From a directory:
every .rego file is a module and every .json, .yaml and .yml file is data, mounted at its
directory below the path given (a/b/x.json -> data.a.b); a data file named directly is
merged at the root of data. A .tar.gz path, or a path given with -b, is read as an OPA
bundle: only data.json/data.yaml files are data. A .manifest at a directory or bundle root
sets its modules' rego_version. Numbers in JSON are kept exact. A test passes when its rule
is defined and true; an evaluation error counts as a failure (ERROR); todo_test_* rules are
SKIPPED.

  -b, --bundle PATH     load PATH (directory or .tar.gz) as a bundle (repeatable)
  --ignore PATTERN      skip files and directories whose name matches PATTERN (shell
                        pattern: *, ?, [...]; repeatable), as opa's --ignore
  --v0-compatible       parse modules as Rego v0 (unless a bundle manifest says otherwise)
  --format pretty|json  pretty (default): failing tests, then OPA's summary (PASS: n/N,
                        FAIL: n/N, ERROR, SKIPPED) and "N passed, N failed";
                        json: OPA's result array [{location, package, name, fail, error,
                        skip, duration (ns), output (base64), bench}]
  --count N             run every test N times (each run is a result)
  --bench               also benchmark every passing test: name, iterations, ns/op
  --run, -r REGEX       only tests whose data.<package>.<name> matches REGEX
  -v, --verbose         print every test's result and print() output
  --timeout DURATION    per-test time budget in Go's syntax: 5s (default), 250ms, 1m30s;
                        a bare number is milliseconds
  -z, --exit-zero-on-skipped  skipped (todo_) tests do not make the exit status 2
  --fail-on-empty       exit 1 when no test ran
  -c, --coverage        print OPA's coverage report (JSON: files{covered, not_covered,
                        covered_lines, not_covered_lines, coverage}, covered_lines,
                        not_covered_lines, coverage; percentages unrounded) instead of the
                        test listing, when every test passes (else the failures, exit 1)
  --threshold PCT       exit 2 when coverage is below PCT (0-100; above 0 implies --coverage),
                        the message on stderr instead of the report (-v: the lines not covered)
  --var-values          under a failed test: the expression that failed and the local
                        variables bound there
  --explain MODE        under a failed test (every test with -v for notes): its trace,
                        notes|fails|full|debug, in OPA's text form

Exit status (as opa test): 0 when every test passes or none ran; 2 when a test fails, errors
or is skipped (unless -z), or coverage is below --threshold; 1 when the policies do not load or
compile, a test fails under --coverage, or no test ran with --fail-on-empty. A usage error: 2.
`,
  check: `Usage: pdp check <path>... [--strict] [--format pretty|json] [--fail-closed] [--entrypoint PATH]... [--timeout MS]

Loads policies as a bundle (only data.json/data.yaml are data, as the service reads them) and
checks them as \`opa check\` does: every module parses, compiles and type checks (with
--strict, OPA's strict-mode errors too). Errors are printed as file:row:col: code: message
(--format json: OPA's {"errors": [...]} on stderr); nothing is printed when there are none.

Then, for policies written for this service — they define data.ai.deployment.decision or
data.ai.tools.decision (or the allow beside either), or --fail-closed or --entrypoint is given —
it checks that every decision the service serves (POST /v1/decisions/*), the boolean \`allow\`
beside each, and every --entrypoint does not allow without a request: evaluated with no input,
and with {}, [], "", 0, null, false and true as the input, none may be \`true\` or a document
whose \`allow\` is true. A document these policies do not define is reported and skipped (the
service denies it as POLICY_UNDEFINED).

  --strict, -s           also OPA's strict-mode errors: unused or duplicate imports,
                         deprecated builtins (any, all, re_match, set_diff, cast_*, ...),
                         input/data shadowed by a local or a function argument,
                         unused locals (assigned var x unused, declared var x unused)
                         and unused function arguments
  --fail-closed          run the fail-closed check even when the policies define none of the
                         served decisions (then: exit 2, nothing to check)
  --entrypoint, -e PATH  also check this document fails closed (e.g. authz.allow or data/authz/allow)
  --format pretty|json   errors as OPA prints them; the fail-closed check's results: pretty, one
                         line per document, then "N passed, N failed"; json: [{path, defined,
                         allows, errors, pass}]
  --timeout MS           per-evaluation time budget of the fail-closed check (default 10000)

Exit status (as opa check): 0 when the policies compile (and every checked document denies), 1
when they do not compile or a checked document allows without a request (its path and the
inputs are printed); 2 on a usage error or when the fail-closed check finds none of its
documents defined.
`,
  eval: `Usage: pdp eval [-d <path>]... [-b <bundle>]... [-i <input.json|yaml> | -I] [-f FORMAT] [--partial [-u input]] <query>

Evaluates <query> against the modules and data loaded from the -d and -b paths, like
\`opa eval\`: -d paths are read as \`pdp test\` reads its paths (every .rego, .json, .yaml
and .yml file; data mounted at its directory), -b paths (directories or .tar.gz) as OPA
bundles. Numbers in JSON data and input are kept exact.

  -d, --data PATH          a .rego/.json/.yaml file, a directory or a .tar.gz bundle (repeatable)
  -b, --bundle PATH        a bundle directory or .tar.gz (repeatable)
  -i, --input FILE         the input document (JSON or YAML)
  -I, --stdin-input        read the input document from standard input
  -f, --format FORMAT      json (default): {"result":[{"expressions":[...],"bindings":{...}}]}, {} when undefined;
                           pretty: the value, or a table of bindings, or "undefined";
                           values: [each result's expression value]; bindings: [each result's
                           bindings]; raw: each value on a line, strings unquoted
  --ignore PATTERN         skip files and directories whose name matches (shell pattern; repeatable)
  --v0-compatible          parse modules as Rego v0 (unless a bundle manifest says otherwise)
  --strict-builtin-errors  raise builtin errors instead of making the expression undefined
  --fail                   exit 1 when the result is undefined
  --fail-defined           exit 1 when the result is defined
  --timeout DURATION       evaluation time budget in Go's syntax (default 10s; a bare number is ms)
  --explain MODE           notes|fails|full|debug: the evaluation trace (json: "explanation", OPA's
                           event objects; pretty: OPA's text trace before the result)
  --metrics                timers: timer_rego_load_files_ns, timer_rego_module_compile_ns,
                           timer_rego_query_eval_ns (json: "metrics"; pretty: a table)
  --profile                per expression location: time, num_eval, num_redo, num_gen_expr
                           (json: "profile"; pretty: a table); implies --metrics
  --profile-limit N        rows of the profile (default 10; 0 = all)
  --profile-sort KEY       total_time_ns (default), num_eval, num_redo, num_gen_expr, file, line
  -p, --partial            partial evaluation (opa eval --partial): OPA's {"partial": {"queries",
                           "modules"}} (-f pretty: the Query/Support table) for a fenced subset —
                           <query> one reference data.<path> to boolean rules (a default answered
                           with a support module package partial.<pkg>, as OPA), bodies comparing
                           input references with constants; anything else is refused with
                           partial_eval_unsupported, exit 2 (docs/cli.md)
  -u, --unknowns REF       the unknown of --partial: input (the default and only value accepted)
`,
  bundle: `Usage: pdp bundle build <dir> -o <bundle.tar.gz> [--revision R] [-t wasm -e PATH...] [signing options]
       pdp bundle sign <dir> --signing-key KEY [-o FILE] [signing options]

Writes an OPA source bundle: /.manifest (revision, roots) plus every .rego and
data.json/data.yaml file of <dir>. Roots come from <dir>/.manifest when it has them (every
package and data file must lie under one), else from the packages' and data's top-level
names. Refuses (writes nothing) when the modules do not compile.

  -t, --target rego|wasm  wasm: also /policy.wasm (OPA's wasm ABI, loadable by
                          @open-policy-agent/opa-wasm) and the manifest's "wasm" entries, as
                          \`opa build -t wasm\`; refuses what the wasm target does not support
  -e, --entrypoint PATH   a wasm entrypoint (a/b, a.b or data.a.b; repeatable; needs -t wasm)

Signing (as \`opa build --signing-key\` / \`opa sign\`): /.signatures.json holds
{"signatures": [JWS]} whose payload lists every file with its SHA-256 digest (data.json,
data.yaml and .manifest in canonical JSON form, as OPA hashes them) — the service's bundle
verifier (bundles[].signing) checks exactly this. \`bundle sign\` writes <dir>/.signatures.json.

  --signing-key KEY      PEM private key file, or the HMAC secret (a file's content or the value)
  --signing-alg ALG      RS256 (default), RS384/512, PS256/384/512, ES256/384/512, EdDSA, HS256/384/512
  --signing-key-id ID    kid header and keyid claim (the verifier picks its key by it)
  --scope S              scope claim (must equal the verifier's bundles[].signing.scope)
  --claims-file FILE     extra payload claims (a JSON object: iss, exp, ...)
  -o FILE                (sign) where to write, default <dir>/.signatures.json
`,
  capabilities: `Usage: pdp capabilities [--format json|status|markdown]

Prints what the built-in Rego engine supports.

  --format json       (default) OPA's capabilities JSON: every builtin the engine evaluates,
                      with its declaration ({"builtins": [{"name", "decl"}, ...], ...})
  --format status     one line per builtin on OPA's list: name, status (implemented, refused,
                      not implemented) and why
  --format markdown   the same as the table in docs/rego-builtins.md

Builtins that call outside the process (http.send, net.lookup_ip_addr) are refused at load;
tests can still replace them with \`with http.send as mock\`.
`,
  conformance: `Usage: pdp conformance [<dir>...] [--format text|json] [--known-failures FILE]
                       [--fail-on-new] [--write-known-failures FILE] [--only SUBFOLDER]...

Runs conformance YAML cases against the built-in Rego engine and reports per-folder and
per-subfolder passed/failed/errored counts, and each failing case with a one-line reason.
Without <dir>, runs ../shared/conformance/opa-v1 and ../shared/conformance/regorus.
Each folder's dialect is detected: regorus-format when any case uses a regorus-only field
(error, no_result, skip, strict, ...), else OPA-format.

  --format text|json            report format (default text)
  --known-failures FILE         mark each failure known/new, print the list's reason
  --fail-on-new                 exit 1 when a failure is not in the known list
  --write-known-failures FILE   (re)write FILE from this run: every failure keyed
                                <folder>/<file>#<note>; human "why" texts are kept
  --write-floor FILE            raise (never lower) FILE's per-folder passed counts to this run's
  --only SUBFOLDER              run only these subfolders (repeatable, or comma-separated)
  --dialect opa|regorus         force a dialect
  --max-steps N, --timeout-ms N per-case evaluation budget (default 5000000 steps, 5000 ms)
  -q, --quiet                   no progress on stderr

Matching rules: a case expecting an error passes when the engine raises a typed error with
the expected code (want_error_code, or a code named in want_error); message texts are not
compared, since ours differ from OPA's and regorus's. The exit status is 0 unless
--fail-on-new finds a new failure.
`,
};
