# AGT-ARG-04 — read-only SQL unless the user may write.
#
# Why: an agent answering analytics questions needs SELECT, not DELETE. Unless the user the agent
# acts for holds a writer role (config/sql), a SQL tool's statement must be a single SELECT (or
# WITH … SELECT) containing no data-modifying keyword. The keyword scan is deliberately
# conservative — a keyword inside a string literal or a column named "update" is refused too —
# because a false denial costs a rephrased query while a false allow can cost the data.
package ai.tools

import data.ai.lib

sql_tool if tool_entry.category == "sql"

sql_writer if user_holds_any(cfg.sql.writer_roles)

sql_query_argument := tool_entry.query_argument if {
	is_string(tool_entry.query_argument)
} else := "query"

sql_statement := lower(trim_space(arguments[sql_query_argument])) if {
	is_string(arguments[sql_query_argument])
}

# The statement with one optional trailing ";" removed.
sql_statement_body := substring(sql_statement, 0, count(sql_statement) - 1) if {
	endswith(sql_statement, ";")
} else := sql_statement

sql_problems contains "the statement is missing or not a string" if not sql_statement

sql_problems contains problem if {
	not regex.match(sprintf(`^(%s)\b`, [concat("|", cfg.sql.read_only_leading_keywords)]), sql_statement)
	problem := sprintf("a read-only statement must start with %s", [
		concat(" or ", [upper(keyword) | some keyword in cfg.sql.read_only_leading_keywords]),
	])
}

sql_problems contains "multiple statements are not allowed" if contains(sql_statement_body, ";")

sql_problems contains problem if {
	found := {keyword |
		some keyword in cfg.sql.write_keywords
		regex.match(sprintf(`\b%s\b`, [keyword]), sql_statement)
	}
	count(found) > 0
	problem := sprintf("the statement contains data-modifying keyword(s): %s", [lib.list_text(found)])
}

violations contains {"control": "AGT-ARG-04", "code": "WRITE_NOT_PERMITTED", "message": message} if {
	sql_tool
	not sql_writer
	count(sql_problems) > 0
	message := sprintf("SQL tool %s is read-only for users without a writer role (%s): %s", [
		tool_name,
		lib.list_text(cfg.sql.writer_roles),
		concat("; ", sort(sql_problems)),
	])
}
