# AIGOV-DATA-01 — data residency for regulated models.
#
# Why: models trained on or serving confidential and restricted data inherit that data's
# residency obligations (contracts, GDPR transfer rules). They may only run in the regions listed
# for their classification. A missing or unknown classification is treated as the strictest
# configured one rather than as "unrestricted".
package ai.deployment

import data.ai.lib

effective_classification := model.data_classification if {
	model.data_classification in cfg.residency.classifications
} else := cfg.residency.unknown_classification_treated_as

region := lib.string_or_null(target, "region")

violations contains {"control": "AIGOV-DATA-01", "code": "DATA_RESIDENCY", "message": message} if {
	allowed_regions := cfg.residency.regions_by_classification[effective_classification]
	not region in allowed_regions
	message := sprintf("%s model may not run in region %s (allowed: %s)", [
		effective_classification,
		lib.display(region),
		lib.list_text(allowed_regions),
	])
}
