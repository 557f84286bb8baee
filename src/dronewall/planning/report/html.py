"""A tiny HTML page builder: escaped text, tables and inline SVG, one file with no external
resource, so a report opens in any browser offline (HTML Living Standard)."""

from __future__ import annotations

import html
from collections.abc import Sequence

_STYLE = """
body{font-family:system-ui,-apple-system,Segoe UI,sans-serif;margin:2rem auto;max-width:1100px;
color:#1d2430;line-height:1.45;padding:0 1rem}
h1{font-size:1.6rem;margin-bottom:.2rem}
h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #ccd}
table{border-collapse:collapse;margin:.6rem 0;font-size:.9rem}
th,td{border:1px solid #ccd;padding:.25rem .5rem;text-align:left;vertical-align:top}
th{background:#eef1f6}td.n{text-align:right;font-variant-numeric:tabular-nums}
.note{background:#fff6d6;border:1px solid #e6c65c;padding:.6rem .8rem;margin:1rem 0}
.ok{color:#1a7f37}.bad{color:#b42318}.muted{color:#667}
figure{margin:1rem 0}figcaption{font-size:.85rem;color:#556}
"""


def esc(value: object) -> str:
    return html.escape(str(value))


def page(title: str, subtitle: str, sections: Sequence[str]) -> str:
    """A whole HTML document."""
    body = "\n".join(sections)
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{esc(title)}</title><style>{_STYLE}</style></head><body>"
        f'<h1>{esc(title)}</h1><p class="muted">{esc(subtitle)}</p>\n{body}\n</body></html>\n'
    )


def section(heading: str, *parts: str) -> str:
    return f"<section><h2>{esc(heading)}</h2>{''.join(parts)}</section>"


def paragraph(text: str, css: str = "") -> str:
    attr = f' class="{css}"' if css else ""
    return f"<p{attr}>{esc(text)}</p>"


def note(text: str) -> str:
    return f'<div class="note">{esc(text)}</div>'


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A table; numbers are right-aligned."""
    head = "".join(f"<th>{esc(h)}</th>" for h in headers)
    body = []
    for row in rows:
        cells = []
        for value in row:
            numeric = isinstance(value, int | float) and not isinstance(value, bool)
            cells.append(
                f'<td class="n">{esc(value)}</td>' if numeric else f"<td>{esc(value)}</td>"
            )
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def figure(svg: str, caption: str) -> str:
    """An inline SVG (already markup, from ``plots``) with a caption."""
    return f"<figure>{svg}<figcaption>{esc(caption)}</figcaption></figure>"


def eur(value: float) -> str:
    """Euros, readable: €1.2 M, €430, €2.3 bn."""
    if abs(value) >= 1e9:
        return f"€{value / 1e9:,.2f} bn"
    if abs(value) >= 1e6:
        return f"€{value / 1e6:,.2f} M"
    return f"€{value:,.0f}"
