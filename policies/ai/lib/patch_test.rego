# Test helper: build request variants from a base request by deep-merging a patch.
#
#   patched({"a": {"b": 1, "c": 2}}, {"a": {"c": 3, "b": absent}}) == {"a": {"c": 3}}
#
# Objects merge key by key (up to four levels: input.model.evaluation.metrics.<metric>); any
# other patch value replaces the base value; a key patched to `absent` is removed.
# (Written with plain comprehensions so the tests need no object.union / object.remove.)
package ai.lib.patch_test

absent := "<absent>"

patched(base, patch) := merge4(base, patch)

keys_of(base, patch) := object.keys(base) | object.keys(patch)

merge0(_, patch) := patch

merge1(base, patch) := {key: value |
	some key in keys_of(base, patch)
	value := pick1(base, patch, key)
	value != absent
} if {
	is_object(base)
	is_object(patch)
} else := patch

pick1(base, patch, key) := merge0(base[key], patch[key]) if {
	key in object.keys(base)
	key in object.keys(patch)
}

pick1(base, patch, key) := base[key] if not key in object.keys(patch)

pick1(base, patch, key) := patch[key] if {
	key in object.keys(patch)
	not key in object.keys(base)
}

merge2(base, patch) := {key: value |
	some key in keys_of(base, patch)
	value := pick2(base, patch, key)
	value != absent
} if {
	is_object(base)
	is_object(patch)
} else := patch

pick2(base, patch, key) := merge1(base[key], patch[key]) if {
	key in object.keys(base)
	key in object.keys(patch)
}

pick2(base, patch, key) := base[key] if not key in object.keys(patch)

pick2(base, patch, key) := patch[key] if {
	key in object.keys(patch)
	not key in object.keys(base)
}

merge3(base, patch) := {key: value |
	some key in keys_of(base, patch)
	value := pick3(base, patch, key)
	value != absent
} if {
	is_object(base)
	is_object(patch)
} else := patch

pick3(base, patch, key) := merge2(base[key], patch[key]) if {
	key in object.keys(base)
	key in object.keys(patch)
}

pick3(base, patch, key) := base[key] if not key in object.keys(patch)

pick3(base, patch, key) := patch[key] if {
	key in object.keys(patch)
	not key in object.keys(base)
}

merge4(base, patch) := {key: value |
	some key in keys_of(base, patch)
	value := pick4(base, patch, key)
	value != absent
} if {
	is_object(base)
	is_object(patch)
} else := patch

pick4(base, patch, key) := merge3(base[key], patch[key]) if {
	key in object.keys(base)
	key in object.keys(patch)
}

pick4(base, patch, key) := base[key] if not key in object.keys(patch)

pick4(base, patch, key) := patch[key] if {
	key in object.keys(patch)
	not key in object.keys(base)
}

test_patch_replaces_nested_value if {
	patched({"a": {"b": {"c": 1, "d": 2}}}, {"a": {"b": {"c": 5}}}) == {"a": {"b": {"c": 5, "d": 2}}}
}

test_patch_removes_absent_keys if {
	patched({"a": {"b": 1, "c": 2}, "d": 3}, {"a": {"b": absent}, "d": absent}) == {"a": {"c": 2}}
}

test_patch_replaces_arrays_wholesale if {
	patched({"a": [1, 2, 3]}, {"a": [4]}) == {"a": [4]}
}

test_patch_keeps_false_values if {
	patched({"a": false}, {"b": false}) == {"a": false, "b": false}
}
