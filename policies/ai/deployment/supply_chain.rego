# AIGOV-SUP-01 — signed, digest-pinned artifacts.
#
# Why: a signature ties the artifact to our build pipeline; a sha256 digest ties the deployment
# to exactly the bytes that were evaluated and approved (a tag can be moved after review).
# Required everywhere except the exempt environments (dev). For risk tier 1 no exception can
# waive it (see config/exceptions non_waivable), and the message says so.
package ai.deployment

supply_chain_exempt if environment in cfg.supply_chain.exempt_environments

supply_chain_enforced if not supply_chain_exempt

artifact_signed if artifact.signed == true

violations contains {"control": "AIGOV-SUP-01", "code": "UNSIGNED_ARTIFACT", "message": message} if {
	supply_chain_enforced
	not artifact_signed
	message := sprintf("artifact must be signed for %s deployments%s", [
		environment_label, non_waivable_note("AIGOV-SUP-01"),
	])
}

violations contains {"control": "AIGOV-SUP-01", "code": "UNPINNED_ARTIFACT", "message": message} if {
	supply_chain_enforced
	not artifact_pinned
	message := sprintf("artifact must be pinned by a sha256 digest (sha256:<64 hex>) for %s deployments%s", [
		environment_label, non_waivable_note("AIGOV-SUP-01"),
	])
}

artifact_pinned if {
	is_string(artifact.digest)
	regex.match(cfg.supply_chain.digest_pattern, artifact.digest)
}

environment_label := environment if {
	is_string(environment)
} else := "unknown-environment"
