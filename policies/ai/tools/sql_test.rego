package ai.tools.sql_test

import data.ai.tools.fixtures_test as fx

analyst(query) := fx.decide(fx.sql(query, ["analyst"]))

test_select_is_allowed if {
	fx.allowed(analyst("SELECT region, sum(amount) FROM orders GROUP BY region"))
}

test_with_select_is_allowed if {
	fx.allowed(analyst("WITH recent AS (SELECT * FROM orders WHERE created_at > now() - interval '7 days') SELECT count(*) FROM recent"))
}

test_single_trailing_semicolon_is_allowed if {
	fx.allowed(analyst("select 1;"))
}

test_delete_is_denied if {
	d := analyst("DELETE FROM orders WHERE id = 7")
	fx.denied_by(d, "AGT-ARG-04", "WRITE_NOT_PERMITTED")
	fx.messages(d, "AGT-ARG-04") == "SQL tool run_sql is read-only for users without a writer role (db-writer): a read-only statement must start with SELECT or WITH; the statement contains data-modifying keyword(s): delete"
}

test_update_is_denied if {
	fx.denied_by(analyst("update orders set status = 'void'"), "AGT-ARG-04", "WRITE_NOT_PERMITTED")
}

test_stacked_statement_is_denied if {
	d := analyst("select 1; drop table orders")
	fx.denied_by(d, "AGT-ARG-04", "WRITE_NOT_PERMITTED")
	contains(fx.messages(d, "AGT-ARG-04"), "multiple statements")
}

test_data_modifying_cte_is_denied if {
	d := analyst("WITH gone AS (DELETE FROM orders RETURNING *) SELECT count(*) FROM gone")
	fx.denied_by(d, "AGT-ARG-04", "WRITE_NOT_PERMITTED")
	contains(fx.messages(d, "AGT-ARG-04"), "delete")
}

test_select_into_is_denied if {
	fx.denied_by(analyst("SELECT * INTO orders_copy FROM orders"), "AGT-ARG-04", "WRITE_NOT_PERMITTED")
}

test_keywords_match_in_any_case if {
	fx.denied_by(analyst("select 1 union select 2; TrUnCaTe orders"), "AGT-ARG-04", "WRITE_NOT_PERMITTED")
}

test_keyword_inside_identifier_is_not_a_keyword if {
	# "updated_at" and "created_by" contain "update"/"create" but are not those keywords
	fx.allowed(analyst("select updated_at, created_by from orders"))
}

test_missing_query_is_denied if {
	d := fx.decide(fx.call("run_sql", "warehouse", {}, {"agent": {"id": "analytics-agent"}, "user": {"roles": ["analyst"]}}))
	fx.denied_by(d, "AGT-ARG-04", "WRITE_NOT_PERMITTED")
}

test_db_writer_may_write if {
	fx.allowed(fx.decide(fx.sql("UPDATE orders SET status = 'void' WHERE id = 7", ["db-writer"])))
}
