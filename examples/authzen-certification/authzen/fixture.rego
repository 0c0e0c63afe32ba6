# The AuthZEN 1.0 certification scenario's fixture (certification scenario §Required Fixture):
# its eight required decisions and its search requirements S1–S6.
#
# Why the rules look like this:
#   - a role is only what the request says (subject.properties.role): rule 4 denies bob a write
#     on record-1 when he is sent without properties, rule 6 allows an admin to write an
#     archived record;
#   - a record's status is what the request says, else the fixture's (record-2 is archived);
#   - delete is a soft delete only (action.properties.soft == true), rules 7 and 8.
package authzen

known_users := {"alice", "bob"}

# Who may write non-archived records without a role.
writers := {"alice"}

record_status := {"record-1": "active", "record-2": "archived"}

status := input.resource.properties.status if {
	is_string(input.resource.properties.status)
} else := record_status[input.resource.id]

known_subject if {
	input.subject.type == "user"
	input.subject.id in known_users
}

known_record if {
	input.resource.type == "record"
	input.resource.id in object.keys(record_status)
}

known_record if {
	input.resource.type == "record"
	is_string(input.resource.properties.status)
}

admin if input.subject.properties.role == "admin"

default allow := false

allow if {
	input.action.name == "read"
	known_subject
	known_record
}

allow if {
	input.action.name == "write"
	known_subject
	known_record
	admin
}

allow if {
	input.action.name == "write"
	known_subject
	known_record
	input.subject.id in writers
	status != "archived"
}

allow if {
	input.action.name == "delete"
	known_subject
	known_record
	input.subject.id in writers
	input.action.properties.soft == true
}

decision := {"allow": true} if allow

decision := {"allow": false, "reasons": [{
	"code": "NOT_PERMITTED",
	"message": sprintf("%s may not %s this record", [subject_name, action_name]),
}]} if not allow

subject_name := input.subject.id if is_string(input.subject.id) else := "the subject"

action_name := input.action.name if is_string(input.action.name) else := "act on"

# Search candidates: the fixture's entities. bob is a candidate with the role the fixture gives
# him, so a search returns him as {id, properties: {role: admin}} and that entity re-evaluates
# to true; sent without the role he is not an admin (rule 4).
candidates := {
	"subject": {"user": [{"id": "alice"}, {"id": "bob", "properties": {"role": "admin"}}]},
	"resource": {"record": ["record-1", "record-2"]},
	"action": {"record": ["read", "write", "delete"]},
}
