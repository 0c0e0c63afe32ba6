# The AuthZEN interop "Todo" scenario (interop/todo-scenario.md of openid/authzen): five users
# identified by the PID the Todo backend takes from its JWT, their roles (the scenario's PIP data,
# data.authzen.users), and the five permissions.
#
#   can_read_user, can_read_todos   every known user
#   can_create_todo                 admin or editor
#   can_update_todo                 evil_genius, or an editor who owns the todo
#   can_delete_todo                 admin, or an editor who owns the todo
#
# The owner is resource.properties.ownerID (the owner's email, the users' `id`): the PDP holds no
# todos. Unknown users and unknown actions are denied.
package authzen

user := data.authzen.users[input.subject.id]

has_role(role) if role in user.roles

owner if {
	is_string(input.resource.properties.ownerID)
	input.resource.properties.ownerID == user.id
}

default allow := false

allow if {
	input.action.name in {"can_read_user", "can_read_todos"}
	user
}

allow if {
	input.action.name == "can_create_todo"
	some role in {"admin", "editor"}
	has_role(role)
}

allow if {
	input.action.name == "can_update_todo"
	has_role("evil_genius")
}

allow if {
	input.action.name == "can_update_todo"
	has_role("editor")
	owner
}

allow if {
	input.action.name == "can_delete_todo"
	has_role("admin")
}

allow if {
	input.action.name == "can_delete_todo"
	has_role("editor")
	owner
}

decision := {"allow": true} if allow

decision := {"allow": false, "reasons": [reason]} if not allow

reason := {"code": "UNKNOWN_USER", "message": "the subject is not a user of the Todo application"} if {
	not user
} else := {"code": "NOT_PERMITTED", "message": sprintf("%s may not %s", [user.name, action])}

action := input.action.name if is_string(input.action.name) else := "do this"

# Search candidates: the users (by PID) and the five permissions on todos and users.
candidates := {
	"subject": {"user": object.keys(data.authzen.users)},
	"action": {
		"todo": ["can_read_todos", "can_create_todo", "can_update_todo", "can_delete_todo"],
		"user": ["can_read_user"],
	},
}
