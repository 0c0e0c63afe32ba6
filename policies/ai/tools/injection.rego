# AGT-INJ-01 — prompt-injection risk.
#
# Why: once an agent has read attacker-controlled text, its next action may be the attacker's.
# The agent runtime scores the session with a prompt-injection classifier; when the score reaches
# the threshold (config/injection), tools that change anything are blocked and only read-only
# tools remain. A runtime that reports no score gets the assumed (worst-case) score.
package ai.tools

prompt_injection_score := signals.prompt_injection_score if {
	is_number(signals.prompt_injection_score)
} else := cfg.injection.assumed_score_when_missing

score_note := "" if {
	is_number(signals.prompt_injection_score)
} else := " (no score reported; assumed)"

violations contains {"control": "AGT-INJ-01", "code": "PROMPT_INJECTION_RISK", "message": message} if {
	side_effecting_tool
	prompt_injection_score >= cfg.injection.threshold
	message := sprintf("prompt_injection_score %v%s is at or above the threshold %v; side-effecting tool %s is blocked", [
		prompt_injection_score,
		score_note,
		cfg.injection.threshold,
		tool_name,
	])
}
