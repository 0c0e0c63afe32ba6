# AuthZEN search candidates for MCP tools (COAZ-MCP: resource type "tool", action "tools/call").
#
# Why: an MCP gateway filters tools/list by asking which tools a user's agent may call. The
# service never guesses: it takes these candidates — every catalogued tool with the server it
# must come from — and keeps only those the tool-call decision allows for the asking
# subject and agent (docs/authzen.md). Not a decision itself: allowing stays data.ai.tools.decision.
package ai.tools

authzen_candidates := {
	"resource": {"tool": [{"id": name, "properties": {"server": entry.server}} | some name, entry in cfg.catalog.tools]},
	"action": {"tool": ["tools/call"]},
}
