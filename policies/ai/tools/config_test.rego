# Consistency of the tool-call configuration: every catalog entry states every flag the controls
# read (the policy treats a missing flag as the risky value, but the catalog should not rely on
# that), and limits and roots are well-formed.
package ai.tools.config_test

cfg := data.ai.tools.config

test_every_catalog_entry_is_complete if {
	every _, entry in cfg.catalog.tools {
		is_string(entry.server)
		is_array(entry.agents)
		is_array(entry.environments)
		is_array(entry.required_roles)
		entry.min_trust_level in object.keys(cfg.trust.levels)
		is_string(entry.category)
		is_boolean(entry.side_effecting)
		is_boolean(entry.external)
	}
}

test_external_tools_declare_pii_handling if {
	every _, entry in cfg.catalog.tools {
		pii_handling_declared_if_external(entry)
	}
}

pii_handling_declared_if_external(entry) if entry.external == false

pii_handling_declared_if_external(entry) if entry.pii_handling in {"redact", "deny"}

test_payment_limits_are_ordered if {
	every _, limits in cfg.payments.limits_by_currency {
		limits.auto_approve_limit > 0
		limits.auto_approve_limit <= limits.hard_limit
	}
}

test_file_roots_are_absolute_without_trailing_slash if {
	tool_roots := [root | some _, entry in cfg.catalog.tools; some root in object.get(entry, "allowed_roots", [])]
	every root in array.concat(cfg.files.allowed_roots, tool_roots) {
		startswith(root, "/")
		not endswith(root, "/")
		not contains(root, "..")
	}
}

test_tool_specific_roots_only_narrow_the_global_roots if {
	every _, entry in cfg.catalog.tools {
		every root in object.get(entry, "allowed_roots", []) {
			some global in cfg.files.allowed_roots
			startswith(concat("", [root, "/"]), concat("", [global, "/"]))
		}
	}
}

test_injection_threshold_is_a_probability if {
	cfg.injection.threshold > 0
	cfg.injection.threshold <= 1
	cfg.injection.assumed_score_when_missing >= cfg.injection.threshold
}

test_pii_scan_limits_are_positive_integers if {
	every limit in [cfg.pii.scan_limits.max_strings, cfg.pii.scan_limits.max_characters] {
		is_number(limit)
		limit == round(limit)
		limit > 0
	}
}

test_pii_patterns_are_valid_regular_expressions if {
	regex.is_valid(cfg.pii.email_pattern)
	every detector in cfg.pii.national_id_patterns {
		regex.is_valid(detector.pattern)
	}
}

test_allowed_domains_are_lower_case if {
	every domain in cfg.email.allowed_recipient_domains {
		domain == lower(domain)
	}
}
