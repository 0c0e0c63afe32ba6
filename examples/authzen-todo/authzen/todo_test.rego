package authzen.todo_test

import data.authzen

rick := "CiRmZDA2MTRkMy1jMzlhLTQ3ODEtYjdiZC04Yjk2ZjVhNTEwMGQSBWxvY2Fs"

morty := "CiRmZDE2MTRkMy1jMzlhLTQ3ODEtYjdiZC04Yjk2ZjVhNTEwMGQSBWxvY2Fs"

beth := "CiRmZDM2MTRkMy1jMzlhLTQ3ODEtYjdiZC04Yjk2ZjVhNTEwMGQSBWxvY2Fs"

req(sub, act, owner) := {
	"subject": {"type": "user", "id": sub},
	"action": {"name": act},
	"resource": {"type": "todo", "id": "t-1", "properties": {"ownerID": owner}},
}

test_editor_updates_own_todo if authzen.decision.allow with input as req(morty, "can_update_todo", "morty@the-citadel.com")

test_editor_cannot_update_others if not authzen.decision.allow with input as req(morty, "can_update_todo", "rick@the-citadel.com")

test_evil_genius_updates_any if authzen.decision.allow with input as req(rick, "can_update_todo", "beth@the-smiths.com")

test_viewer_cannot_delete_own if not authzen.decision.allow with input as req(beth, "can_delete_todo", "beth@the-smiths.com")

test_viewer_cannot_create if {
	d := authzen.decision with input as req(beth, "can_create_todo", "")
	not d.allow
	d.reasons[0].code == "NOT_PERMITTED"
}

test_unknown_user_denied if {
	d := authzen.decision with input as req("nobody", "can_read_todos", "")
	d.reasons[0].code == "UNKNOWN_USER"
}
