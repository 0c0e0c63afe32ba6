# AIGOV-ENV-01 — known deployment target.
#
# Why: environment and exposure decide which controls apply (supply chain, approvals, license
# list, risk-tier cap). A target the gate does not know ("production", "Prod", a typo) must not
# slip past environment-specific controls, so it is denied outright and cannot be waived.
package ai.deployment

import data.ai.lib

known_environment if environment in cfg.targets.environments

violations contains {"control": "AIGOV-ENV-01", "code": "UNKNOWN_ENVIRONMENT", "message": message} if {
	not known_environment
	message := sprintf("deployment environment %s is not one of: %s", [
		lib.display(environment),
		lib.list_text(cfg.targets.environments),
	])
}

violations contains {"control": "AIGOV-ENV-01", "code": "UNKNOWN_EXPOSURE", "message": message} if {
	not known_exposure
	message := sprintf("deployment exposure %s is not one of: %s", [
		lib.display(exposure),
		lib.list_text(object.keys(cfg.targets.exposures)),
	])
}

known_exposure if cfg.targets.exposures[exposure]
