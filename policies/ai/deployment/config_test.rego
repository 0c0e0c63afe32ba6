# Consistency of the deployment gate's configuration: a data change that would silently disable
# a control (a tier without thresholds, an exposure without a license list, a metric without a
# direction) fails here before it ships.
package ai.deployment.config_test

cfg := data.ai.deployment.config

test_every_exposure_has_a_license_list_and_a_tier_cap if {
	every name, exposure in cfg.targets.exposures {
		is_array(cfg.licenses.allowed_by_exposure[name])
		exposure.risk_tier_cap in data.ai.deployment.known_risk_tiers
	}
}

test_every_tier_has_thresholds_and_a_positive_whole_day_freshness_window if {
	every _, tier in cfg.evaluation.tiers {
		count(tier.thresholds) > 0
		tier.freshness_days > 0
		tier.freshness_days == round(tier.freshness_days)
	}
}

test_every_thresholded_metric_has_a_direction if {
	every _, tier in cfg.evaluation.tiers {
		every metric, _ in tier.thresholds {
			cfg.evaluation.metrics[metric].direction in {"higher_is_better", "lower_is_better"}
		}
	}
}

test_tier_1_is_at_least_as_strict_as_every_other_tier if {
	strict := cfg.evaluation.tiers["1"]
	every _, tier in cfg.evaluation.tiers {
		every metric, threshold in tier.thresholds {
			at_least_as_strict(cfg.evaluation.metrics[metric].direction, strict.thresholds[metric], threshold)
		}
		strict.freshness_days <= tier.freshness_days
	}
}

at_least_as_strict("higher_is_better", strict, other) if strict >= other

at_least_as_strict("lower_is_better", strict, other) if strict <= other

test_regulated_classifications_are_known_classifications if {
	every classification, regions in cfg.residency.regions_by_classification {
		classification in cfg.residency.classifications
		count(regions) > 0
	}
	cfg.residency.unknown_classification_treated_as in object.keys(cfg.residency.regions_by_classification)
}

test_approval_requirements_name_known_tiers_and_environments if {
	every requirement in cfg.approvals.requirements {
		every tier in requirement.risk_tiers {
			tier in data.ai.deployment.known_risk_tiers
		}
		every environment in requirement.environments {
			environment in cfg.targets.environments
		}
		count(requirement.roles) > 0
	}
}

test_exempt_environments_are_known_environments if {
	every environment in array.concat(cfg.supply_chain.exempt_environments, cfg.evaluation.exempt_environments) {
		environment in cfg.targets.environments
	}
	not "prod" in cfg.supply_chain.exempt_environments
	not "prod" in cfg.evaluation.exempt_environments
}

test_exception_ids_are_unique if {
	ids := [e.id | some e in cfg.exceptions.entries]
	count(ids) == count({id | some id in ids})
}

test_approved_registries_have_no_trailing_slash if {
	every registry in cfg.registries.approved {
		not endswith(registry, "/")
	}
}
