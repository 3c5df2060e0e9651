"""The report page's HTML: its template and style, tables, counts and shares, escaping."""

from __future__ import annotations

import html
from collections import Counter
from collections.abc import Sequence

Cell = str | tuple[str, str]  # a table cell: its text, or its text and a class


def count_rows(counter: Counter[str], order: Sequence[str], total: int) -> list[list[Cell]]:
    """Rows of key, count and share: the keys of `order` first, then any others sorted."""
    keys = [*order, *sorted(k for k in counter if k not in order)]
    return [[k, str(counter[k]), share(counter[k], total)] for k in keys]


def table(table_id: str, head: Sequence[str], rows: Sequence[Sequence[Cell]]) -> str:
    """An HTML table, every cell escaped."""

    def cell(value: Cell) -> str:
        if isinstance(value, tuple):
            return f"<td class={value[1]}>{escape(value[0])}</td>"
        return f"<td>{escape(value)}</td>"

    header = "".join(f"<th>{escape(h)}</th>" for h in head)
    body = "".join("<tr>" + "".join(cell(c) for c in row) + "</tr>" for row in rows)
    return f'<table id="{table_id}"><thead><tr>{header}</tr></thead><tbody>{body}</tbody></table>'


def listed(pairs: list[tuple[str, int]]) -> str:
    """ "a (3), b (1)", or a dash for none."""
    return ", ".join(f"{key} ({count})" for key, count in pairs) or "—"


def share(count: int, total: int) -> str:
    """A percentage, or a dash when there is nothing to share."""
    return "—" if total == 0 else f"{count / total:.1%}"


def escape(text: object) -> str:
    """Text made safe inside HTML and its attributes."""
    return html.escape(str(text), quote=True)


PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<style>
body {{ font: 15px/1.45 system-ui, sans-serif; max-width: 75em; margin: 1.5em auto; color: #222; }}
table {{ border-collapse: collapse; margin-bottom: 1.2em; }}
th, td {{ border-bottom: 1px solid #ddd; padding: 0.2em 0.8em; text-align: right; }}
th:first-child, td:first-child {{ text-align: left; }} th {{ border-bottom: 2px solid #999; }}
.how, .caveat {{ padding: 0.6em 1em; border-left: 4px solid #4a7fb5; background: #eef5ff; }}
.caveat {{ border-color: #d08a00; background: #fff6e5; }} .meta, .absent {{ color: #555; }}
.row {{ display: flex; flex-wrap: wrap; gap: 2em; }} td.jump {{ color: #c00; font-weight: bold; }}
svg.chart {{ width: 100%; max-width: 900px; height: auto; }} svg .tick {{ font-size: 11px; }}
svg .axis {{ stroke: #444; }} svg .grid {{ stroke: #e4e4e4; }} svg .line {{ fill: none; }}
svg .jump {{ stroke: #c00; stroke-width: 2.5; }}
.legend {{ display: flex; gap: 1.5em; list-style: none; padding: 0; }}
.swatch {{ display: inline-block; width: 1em; height: 0.6em; margin-right: 0.4em; }}
</style></head>
<body>
{body}
</body></html>
"""
