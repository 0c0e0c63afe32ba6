# AGT-FLOW-01 — exfiltration risk ("lethal trifecta").
#
# Why: an agent that has (1) read untrusted content and (2) touched sensitive data must not
# (3) send anything outside the organisation in the same session — that combination is exactly
# how injected instructions exfiltrate data, whatever the injection score says. The runtime
# reports (1) and (2) on the session; the catalog marks tools that send data out (external).
# Unreported session flags count as set.
package ai.tools

import data.ai.lib

session_saw_untrusted_content if not lib.is_false(session, "untrusted_content_seen")

session_accessed_sensitive_data if not lib.is_false(session, "sensitive_data_accessed")

violations contains {"control": "AGT-FLOW-01", "code": "EXFILTRATION_RISK", "message": message} if {
	external_tool
	session_saw_untrusted_content
	session_accessed_sensitive_data
	message := sprintf("session has seen untrusted content and accessed sensitive data; external tool %s is blocked", [tool_name])
}
