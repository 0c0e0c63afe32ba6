package ai.tools.authzen_test

import data.ai.tools

test_every_catalogued_tool_is_a_candidate_with_its_server if {
	some c in tools.authzen_candidates.resource.tool
	c.id == "send_email"
	c.properties.server == "mail"
	count(tools.authzen_candidates.resource.tool) == count(tools.cfg.catalog.tools)
}

test_the_only_tool_action_is_tools_call if {
	tools.authzen_candidates.action.tool == ["tools/call"]
}
