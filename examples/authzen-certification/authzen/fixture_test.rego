package authzen.fixture_test

import data.authzen

req(s, a, r) := {"subject": s, "action": a, "resource": r}

alice := {"type": "user", "id": "alice"}

bob := {"type": "user", "id": "bob"}

record1 := {"type": "record", "id": "record-1"}

archived2 := {"type": "record", "id": "record-2", "properties": {"status": "archived"}}

test_rule_1 if authzen.decision.allow with input as req(alice, {"name": "read"}, record1)

test_rule_2 if authzen.decision.allow with input as req(alice, {"name": "write"}, record1)

test_rule_3 if authzen.decision.allow with input as req(bob, {"name": "read"}, record1)

test_rule_4 if not authzen.decision.allow with input as req(bob, {"name": "write"}, record1)

test_rule_5 if not authzen.decision.allow with input as req(alice, {"name": "write"}, archived2)

test_rule_6 if authzen.decision.allow with input as req(object.union(bob, {"properties": {"role": "admin"}}), {"name": "write"}, archived2)

test_rule_7 if authzen.decision.allow with input as req(alice, {"name": "delete", "properties": {"soft": true}}, record1)

test_rule_8 if not authzen.decision.allow with input as req(alice, {"name": "delete", "properties": {"soft": false}}, record1)

test_deny_says_why if {
	d := authzen.decision with input as req(bob, {"name": "write"}, record1)
	d.reasons[0].code == "NOT_PERMITTED"
}

test_no_input_denies if not authzen.decision.allow
