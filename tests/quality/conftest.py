"""Quality gates: query budgets and fuzzed forms. Their figures are printed after the run."""

from tests.quality import counters


def pytest_terminal_summary(terminalreporter, exitstatus, config):  # type: ignore[no-untyped-def]
    figures = counters.figures()
    if not figures:
        return
    terminalreporter.section("quality figures")
    budgets = figures.get("query_budgets", {})
    for name, counts in sorted(budgets.items()):
        terminalreporter.write_line(
            f"queries  {name:<26} 10 participants: {counts['10']:>3}   "
            f"1,000 participants: {counts['1000']:>3}"
        )
    fuzz = figures.get("fuzz", {})
    for name, n in sorted(fuzz.items()):
        terminalreporter.write_line(f"fuzz     {name:<40} submissions: {n}")
    if fuzz:
        terminalreporter.write_line(f"fuzz     total submissions tried: {sum(fuzz.values())}")
        outcomes = figures.get("fuzz_outcomes", {})
        terminalreporter.write_line(
            "fuzz     responses: " + ", ".join(f"{k}: {v}" for k, v in sorted(outcomes.items()))
        )
    hostile = figures.get("fuzz_hostile", {})
    if hostile:
        terminalreporter.write_line(
            f"fuzz     hostile queries and bodies sent: {sum(hostile.values())}; responses: "
            + ", ".join(f"{status}: {n}" for status, n in sorted(_by_status(hostile).items()))
        )
    path = counters.write()
    terminalreporter.write_line(f"written to {path}")


def _by_status(counts: dict[str, int]) -> dict[str, int]:
    """{"what: HTTP 400": n} summed by the status."""
    out: dict[str, int] = {}
    for key, n in counts.items():
        status = key.rsplit(": ", 1)[-1]
        out[status] = out.get(status, 0) + n
    return out
