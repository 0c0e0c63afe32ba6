# AGT-ARG-01 — outbound e-mail only to allowed domains.
#
# Why: an agent that can e-mail anyone can be talked into mailing customer data to an attacker.
# E-mail tools (catalog category "email") may only address recipients in the organisation's and
# its partners' domains (config/email). Anything that does not parse as a plain address — display
# names, several "@", empty parts, non-strings — is refused rather than guessed at.
package ai.tools

import data.ai.lib

email_tool if tool_entry.category == "email"

# Every value given in a recipient argument ("to", "cc", "bcc"): a string or a list of them.
recipient_values contains value if {
	some name in cfg.email.recipient_arguments
	value := arguments[name]
	not is_array(value)
}

recipient_values contains value if {
	some name in cfg.email.recipient_arguments
	is_array(arguments[name])
	some value in arguments[name]
}

# recipient_domain(address) is the lower-cased domain of a plain "local@domain" address.
recipient_domain(address) := domain if {
	is_string(address)
	parts := split(lower(trim_space(address)), "@")
	count(parts) == 2
	parts[0] != ""
	domain := parts[1]
	regex.match(`^[a-z0-9-]+(\.[a-z0-9-]+)+$`, domain)
}

domain_allowed(domain) if domain in cfg.email.allowed_recipient_domains

domain_allowed(domain) if {
	cfg.email.allow_subdomains == true
	some allowed in cfg.email.allowed_recipient_domains
	endswith(domain, concat("", [".", allowed]))
}

malformed_recipients contains text if {
	some value in recipient_values
	not recipient_domain(value)
	text := sprintf("%v", [value])
}

disallowed_recipients contains value if {
	some value in recipient_values
	domain := recipient_domain(value)
	not domain_allowed(domain)
}

# Messages name a refused recipient by its domain only (the address is personal data), unless
# config/email says echo_request_values.
disallowed_recipients_text := lib.list_text(disallowed_recipients) if {
	echo_request_values("email")
} else := lib.list_text({sprintf("recipient at domain %s", [recipient_domain(value)]) | some value in disallowed_recipients})

malformed_recipients_text := sprintf(": %s", [lib.list_text(malformed_recipients)]) if {
	echo_request_values("email")
} else := sprintf(" (%v value%s)", [count(malformed_recipients), plural(count(malformed_recipients))])

plural(n) := "" if n == 1

plural(n) := "s" if n != 1

violations contains {"control": "AGT-ARG-01", "code": "RECIPIENT_DOMAIN_NOT_ALLOWED", "message": message} if {
	email_tool
	count(disallowed_recipients) > 0
	message := sprintf("recipients outside the allowed domains (%s): %s", [
		lib.list_text(cfg.email.allowed_recipient_domains),
		disallowed_recipients_text,
	])
}

violations contains {"control": "AGT-ARG-01", "code": "INVALID_RECIPIENT", "message": message} if {
	email_tool
	count(malformed_recipients) > 0
	message := sprintf("recipients are not plain e-mail addresses%s", [malformed_recipients_text])
}

violations contains {"control": "AGT-ARG-01", "code": "INVALID_RECIPIENT", "message": message} if {
	email_tool
	count(recipient_values) == 0
	message := sprintf("e-mail has no recipients (expected one of: %s)", [lib.list_text(cfg.email.recipient_arguments)])
}
