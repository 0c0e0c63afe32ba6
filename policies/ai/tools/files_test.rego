package ai.tools.files_test

import data.ai.tools.fixtures_test as fx

test_path_under_allowed_root_is_allowed if {
	fx.allowed(fx.decide(fx.read_file("/srv/shared/reports/2026/q3.csv")))
}

test_allowed_root_itself_is_allowed if {
	fx.allowed(fx.decide(fx.read_file("/workspace")))
}

test_parent_directory_traversal_is_denied if {
	d := fx.decide(fx.read_file("/workspace/../etc/passwd"))
	fx.denied_by(d, "AGT-ARG-03", "PATH_NOT_ALLOWED")
	fx.messages(d, "AGT-ARG-03") == "argument path: a path under /workspace contains a '..' segment (directory traversal)"
}

test_absolute_path_outside_roots_is_denied if {
	d := fx.decide(fx.read_file("/etc/shadow"))
	fx.denied_by(d, "AGT-ARG-03", "PATH_NOT_ALLOWED")
	contains(fx.messages(d, "AGT-ARG-03"), "outside the allowed roots")
}

test_sibling_with_root_as_prefix_is_denied if {
	d := fx.decide(fx.read_file("/workspace-other/secrets.txt"))
	fx.denied_by(d, "AGT-ARG-03", "PATH_NOT_ALLOWED")
}

test_relative_path_is_denied if {
	d := fx.decide(fx.read_file("notes/todo.md"))
	fx.denied_by(d, "AGT-ARG-03", "PATH_NOT_ALLOWED")
	contains(fx.messages(d, "AGT-ARG-03"), "relative")
}

test_home_directory_shorthand_is_denied if {
	fx.denied_by(fx.decide(fx.read_file("~/.ssh/id_rsa")), "AGT-ARG-03", "PATH_NOT_ALLOWED")
}

test_backslash_path_is_denied if {
	fx.denied_by(fx.decide(fx.read_file(`/workspace\..\etc\passwd`)), "AGT-ARG-03", "PATH_NOT_ALLOWED")
}

test_percent_encoded_traversal_is_denied if {
	fx.denied_by(fx.decide(fx.read_file("/workspace/%2e%2e/etc/passwd")), "AGT-ARG-03", "PATH_NOT_ALLOWED")
}

test_nul_byte_is_denied if {
	fx.denied_by(fx.decide(fx.read_file("/workspace/a.txt\u0000.png")), "AGT-ARG-03", "PATH_NOT_ALLOWED")
}

test_missing_path_is_denied if {
	d := fx.decide(fx.call("read_file", "files", {}, {
		"agent": {"id": "ops-agent", "trust_level": "low"},
		"user": {"roles": ["engineer"]},
	}))
	fx.denied_by(d, "AGT-ARG-03", "PATH_NOT_ALLOWED")
	contains(fx.messages(d, "AGT-ARG-03"), "non-empty string")
}

test_tool_specific_roots_narrow_the_global_list if {
	# /srv/shared/reports is a global root, but write_file may only write under /workspace
	d := fx.decide(fx.write_file("/srv/shared/reports/q3.csv"))
	fx.denied_by(d, "AGT-ARG-03", "PATH_NOT_ALLOWED")
	fx.allowed(fx.decide(fx.write_file("/workspace/q3.csv")))
}
