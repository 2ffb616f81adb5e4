"""SQL expressions that render a column as the export's text: the formatting lives in the query.

PostgreSQL's COPY writes exactly what the SELECT returns, so dates, booleans and code lists
are turned into the contract's text here (ISO 8601 dates, `true`/`false`, `;`-joined codes),
once for PostgreSQL and once for SQLite, where the same query feeds `csv.writer`.
Every template reads only column references (no parameters), so repeating one is safe.
"""

from typing import Any

from django.db.models import CharField, DateField, Field, Func, IntegerField

from audit.csv_writer import ESCAPE, FORMULA_PREFIXES, PLAIN_NUMBER_SQL


class _Template(Func):
    """A one-argument expression with a template per database vendor."""

    postgresql = "%(expressions)s"
    sqlite = "%(expressions)s"
    output_field: Field[Any, Any] = CharField()

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(compiler, connection, template=self.postgresql, **extra)

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(compiler, connection, template=self.sqlite, **extra)


class BlankAsNull(_Template):
    """COPY writes an empty string as "" and NULL as nothing; the contract wants both empty."""

    postgresql = "NULLIF(%(expressions)s, '')"


def _sql_literal(text: str) -> str:
    """A constant as a SQL literal: a control character by chr(), a quote doubled."""
    if text.isprintable():
        return "'" + text.replace("'", "''") + "'"
    return f"chr({ord(text)})"


class SpreadsheetSafe(_Template):
    """Text that a spreadsheet would run as a formula, marked as text by a leading quote: the
    rule of `audit.csv_writer.safe_cell`, in the COPY's own SELECT so that the file stays one
    streamed statement. The first character is compared as a number (`ascii`, its code point:
    no collation), the regular expression runs only on a cell that starts with one of the
    characters, and a plain number (-1.5) is left a number. On SQLite the rows go through the
    CSV writer, which applies the rule itself."""

    postgresql = (
        "(CASE WHEN ascii(%(expressions)s) IN ("
        + ", ".join(str(ord(c)) for c in FORMULA_PREFIXES)
        + f") AND %(expressions)s !~ '{PLAIN_NUMBER_SQL}' THEN {_sql_literal(ESCAPE)} || "
        + "%(expressions)s ELSE %(expressions)s END)"
    )


class IsoDate(_Template):
    """A date as YYYY-MM-DD: as stored on SQLite, and as COPY writes a date on PostgreSQL,
    because psycopg2 keeps every connection's DateStyle at ISO (it needs it to read dates)."""

    output_field = DateField()


class IsoDateTime(_Template):
    """A UTC timestamp as 2026-01-05T09:30:00Z."""

    postgresql = "to_char(%(expressions)s AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
    sqlite = "(replace(substr(%(expressions)s, 1, 19), ' ', 'T') || 'Z')"


class TrueFalse(_Template):
    postgresql = sqlite = "(CASE %(expressions)s WHEN TRUE THEN 'true' WHEN FALSE THEN 'false' END)"


class JoinedCodes(_Template):
    """A JSON list of codes as `code1;code2`; empty (NULL) for an empty list.

    Codes are identifiers (letters and underscores), so on PostgreSQL the list's text form
    `["liver", "bone"]` is rewritten rather than unnested: a subquery per row would cost more
    than the rest of the row.
    """

    postgresql = "NULLIF(replace(translate(%(expressions)s::text, '[]\"', ''), ', ', ';'), '')"
    sqlite = "(SELECT group_concat(value, ';') FROM json_each(%(expressions)s))"


class ScreeningNumber(_Template):
    """`Screening.screening_number` (S-00042) from the screening's primary key."""

    postgresql = (
        "(CASE WHEN %(expressions)s < 100000 THEN 'S-' || lpad(%(expressions)s::text, 5, '0') "
        "ELSE 'S-' || %(expressions)s::text END)"
    )
    sqlite = (
        "(CASE WHEN %(expressions)s < 100000 THEN 'S-' || substr('0000' || %(expressions)s, -5) "
        "ELSE 'S-' || %(expressions)s END)"
    )


class DaysFrom(Func):
    """Whole days from `reference` (a date) to `value` (a date or timestamp)."""

    arity = 2
    output_field = IntegerField()

    def __init__(self, value: Any, reference: Any, *, timestamp: bool = False) -> None:
        super().__init__(value, reference)
        self.timestamp = timestamp

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        value = "(%s AT TIME ZONE 'UTC')::date" if self.timestamp else "%s"
        return self.as_sql(
            compiler,
            connection,
            template="(" + value.replace("%s", "%(v)s") + " - %(r)s)",
            **extra,
        )

    # Narrower than Func.as_sql (no function, arg_joiner): DaysFrom is compiled through its
    # vendor methods alone, which pass the template.
    def as_sql(  # type: ignore[override]
        self, compiler: Any, connection: Any, template: str | None = None, **extra: Any
    ) -> tuple[str, list[Any]]:
        (value_sql, value_params), (ref_sql, ref_params) = (
            compiler.compile(e) for e in self.get_source_expressions()
        )
        if template is None:  # SQLite
            template = "CAST(julianday(date(%(v)s)) - julianday(%(r)s) AS INTEGER)"
        return template % {"v": value_sql, "r": ref_sql}, [*value_params, *ref_params]


class OctetLength(_Template):
    """A value's length in bytes (UTF-8) as text: the width a statistics file gives a text
    variable. A JSON list's text form is longer than its `;`-joined codes: a bound."""

    postgresql = "octet_length((%(expressions)s)::text)"
    sqlite = "length(CAST(CAST(%(expressions)s AS TEXT) AS BLOB))"
    output_field = IntegerField()
