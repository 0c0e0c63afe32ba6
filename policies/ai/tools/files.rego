# AGT-ARG-03 — file paths under allowed roots.
#
# Why: a file tool is a general read/write primitive; without limits an agent can be steered to
# read secrets (/etc, ~/.ssh, other tenants' data) or overwrite code. Paths must be absolute,
# lie under an allowed root (config/files, optionally narrowed per tool in the catalog), and
# contain nothing the file system or a later decoding step could resolve elsewhere: no ".."
# segments, no backslashes, no NUL bytes, no percent-encoding. Symbolic links inside a root are
# the file server's responsibility.
package ai.tools

import data.ai.lib

file_tool if tool_entry.category == "file"

path_argument_names := tool_entry.path_arguments if {
	is_array(tool_entry.path_arguments)
} else := ["path"]

allowed_roots := tool_entry.allowed_roots if {
	is_array(tool_entry.allowed_roots)
} else := cfg.files.allowed_roots

# [argument name, problem] for every problem with a path argument.
path_problems contains [name, problem] if {
	file_tool
	some name in path_argument_names
	some problem in problems_with_path(object.get(arguments, name, null))
}

problems_with_path(path) := {"must be a non-empty string"} if {
	not lib.non_empty_string(path)
} else := {problem |
	some check in path_checks
	problem := failed_path_check(check, path)
}

path_checks := ["traversal", "backslash", "nul", "encoded", "relative", "outside_roots"]

failed_path_check("traversal", path) := "contains a '..' segment (directory traversal)" if {
	".." in split(path, "/")
}

failed_path_check("backslash", path) := "contains a backslash" if contains(path, `\`)

failed_path_check("nul", path) := "contains a NUL byte" if contains(path, "\u0000")

failed_path_check("encoded", path) := "contains percent-encoded characters" if regex.match(`%[0-9A-Fa-f]{2}`, path)

failed_path_check("relative", path) := "is relative; give an absolute path under an allowed root" if {
	not startswith(path, "/")
}

failed_path_check("outside_roots", path) := sprintf("is outside the allowed roots (%s)", [lib.list_text(allowed_roots)]) if {
	startswith(path, "/")
	not under_allowed_root(path)
}

under_allowed_root(path) if {
	some root in allowed_roots
	path_under_root(path, root)
}

path_under_root(path, root) if path == root

path_under_root(path, root) if startswith(path, concat("", [root, "/"]))

# How a message names a path: by the allowed root it lies under ("a path under /workspace"), or
# just "a path" — the rest of it (file names, other tenants' directories) stays in the request,
# unless config/files says echo_request_values.
path_label(path) := sprintf("path %s", [lib.display(path)]) if {
	echo_request_values("files")
} else := sprintf("a path under %s", [root]) if {
	is_string(path)
	roots := [root | some root in allowed_roots; path_under_root(path, root)]
	count(roots) > 0
	root := sort(roots)[count(roots) - 1] # the deepest of nested roots
} else := "a path"

violations contains {"control": "AGT-ARG-03", "code": "PATH_NOT_ALLOWED", "message": message} if {
	some finding in path_problems
	name := finding[0]
	problem := finding[1]
	message := sprintf("argument %s: %s %s", [
		name,
		path_label(object.get(arguments, name, null)),
		problem,
	])
}
