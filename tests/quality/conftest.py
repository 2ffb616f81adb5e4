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
    path = counters.write()
    terminalreporter.write_line(f"written to {path}")
