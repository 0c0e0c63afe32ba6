package ai.tools.injection_test

import data.ai.lib.patch_test.absent
import data.ai.tools.fixtures_test as fx

# threshold (config/injection): 0.7

test_score_just_below_threshold_is_allowed if {
	fx.allowed(fx.decide(fx.request({"signals": {"prompt_injection_score": 0.69}})))
}

test_score_at_threshold_blocks_side_effecting_tool if {
	d := fx.decide(fx.request({"signals": {"prompt_injection_score": 0.7}}))
	fx.denied_by(d, "AGT-INJ-01", "PROMPT_INJECTION_RISK")
	fx.messages(d, "AGT-INJ-01") == "prompt_injection_score 0.7 is at or above the threshold 0.7; side-effecting tool send_email is blocked"
}

test_high_score_still_allows_read_only_tools if {
	req := fx.call("search_kb", "kb", {"query": "refund policy"}, {"signals": {"prompt_injection_score": 0.95}})
	fx.allowed(fx.decide(req))
}

test_missing_score_counts_as_worst_case if {
	d := fx.decide(fx.request({"signals": absent}))
	fx.denied_by(d, "AGT-INJ-01", "PROMPT_INJECTION_RISK")
	contains(fx.messages(d, "AGT-INJ-01"), "no score reported")
}

test_non_numeric_score_counts_as_worst_case if {
	fx.denied_by(fx.decide(fx.request({"signals": {"prompt_injection_score": "low"}})), "AGT-INJ-01", "PROMPT_INJECTION_RISK")
}

test_tool_without_side_effect_flag_counts_as_side_effecting if {
	d := data.ai.tools.decision with input as fx.request({"signals": {"prompt_injection_score": 0.9}}) with data.ai.tools.config.catalog.tools.send_email.side_effecting as null
	fx.denied_by(d, "AGT-INJ-01", "PROMPT_INJECTION_RISK")
}
