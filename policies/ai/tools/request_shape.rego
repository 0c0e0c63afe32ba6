# AGT-REQ-01 — the request is a tool-call request.
#
# Why: fail closed without a request. An input that is missing (a Data API call with no body, a
# GET, a misspelled "Input" key), not an object, or without the fields every tool-call request
# carries (config/request: the required fields of schemas/tool-call-request.json) is denied with
# INVALID_REQUEST — whoever asks, by whatever route. The other controls still run on the empty
# request and add their own reasons.
package ai.tools

import data.ai.lib

violations contains {"control": "AGT-REQ-01", "code": "INVALID_REQUEST", "message": lib.input_problem}

violations contains {"control": "AGT-REQ-01", "code": "INVALID_REQUEST", "message": message} if {
	some field in lib.missing_request_fields(cfg.request.required_fields)
	message := sprintf("request field %s is missing or not a non-empty string", [field])
}
