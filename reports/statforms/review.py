"""Submit-and-review carries the forms: the board of a committee sees, for a
form and a period, the total of the forms its sub-units submitted (each
one's latest version, as frozen) beside the live figures of the committee
computed now, row by row with the official codes."""

from collections import defaultdict

from reports.tables import Table


def submitted_totals(expected, live: Table | None) -> dict:
    """{"rows": [{code, label, submitted, live, differs}], "units": n} for
    the sub-units' submissions of `expected` (reports.selectors
    .submissions_under rows) that were submitted, awaiting or approved.
    Counts (int columns) are added up; shares and averages are not."""
    totals: dict[tuple, int] = defaultdict(int)
    labels: dict[tuple, str] = {}
    order: list[tuple] = []
    counted = 0
    subs = [r.submission for r in expected if r.submission is not None and r.state != "returned"]
    versions = {}
    for sub in subs:
        latest = max(sub.versions.all(), key=lambda v: v.number, default=None)
        if latest is not None:
            versions[sub.pk] = latest
    for sub in subs:
        version = versions.get(sub.pk)
        if version is None:
            continue
        table = Table.from_dict(version.table)
        if not table.form:
            continue
        counted += 1
        for s_index, section in enumerate(table.sections):
            keys = [c.key for c in section.columns]
            kinds = [c.kind for c in section.columns]
            if "this" in keys:
                column = keys.index("this")
            elif "total" in keys:
                column = keys.index("total")
            else:
                continue
            if kinds[column] != "int":
                continue
            for i, row in enumerate(section.rows):
                code = section.codes[i] if i < len(section.codes) else str(i)
                key = (s_index, code)
                if key not in labels:
                    labels[key] = row[1] if len(row) > 1 else code
                    order.append(key)
                value = row[column]
                if isinstance(value, int):
                    totals[key] += value
    live_values: dict[tuple, object] = {}
    if live is not None:
        for s_index, section in enumerate(live.sections):
            keys = [c.key for c in section.columns]
            column = (
                keys.index("this")
                if "this" in keys
                else keys.index("total")
                if "total" in keys
                else None
            )
            if column is None:
                continue
            for i, row in enumerate(section.rows):
                code = section.codes[i] if i < len(section.codes) else str(i)
                live_values[(s_index, code)] = row[column]
                if (s_index, code) not in labels:
                    labels[(s_index, code)] = row[1] if len(row) > 1 else code
                    order.append((s_index, code))
    rows = []
    for key in order:
        value = live_values.get(key)
        submitted = totals.get(key) if counted else None
        rows.append(
            {
                "code": key[1],
                "label": labels[key],
                "submitted": submitted,
                "live": value,
                "differs": counted > 0
                and isinstance(value, int)
                and submitted is not None
                and submitted != value,
            }
        )
    return {"rows": rows, "units": counted}
