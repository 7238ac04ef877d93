"""Server-rendered SVG bar and line charts. Pure: numbers in, markup out.

Each chart is drawn from the same table the page shows beside it (one click away),
so a chart never says anything its numbers do not.
"""

from __future__ import annotations

import msgspec

from sync.domain.text import for_markup as escape

PALETTE = ("#2f6fb0", "#e08a1e", "#3c9a5f", "#c0392b", "#8e6bbf", "#7f8c8d", "#16a2b8",
           "#b5651d")
WIDTH, HEIGHT = 720, 280
LEFT, RIGHT, TOP, BOTTOM = 48, 150, 16, 48


class Series(msgspec.Struct, frozen=True):
    name: str
    values: list[float]


class Chart(msgspec.Struct, frozen=True):
    id: str
    title: str
    labels: list[str]
    series: list[Series]
    unit: str = ""
    stacked: bool = False
    line: bool = False

    @property
    def table(self) -> list[list[str]]:
        return [[label, *(_num(s.values[i]) for s in self.series)]
                for i, label in enumerate(self.labels)]


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


def _top(chart: Chart) -> float:
    if chart.stacked:
        sums = [sum(s.values[i] for s in chart.series) for i in range(len(chart.labels))]
        peak = max(sums, default=0)
    else:
        peak = max((v for s in chart.series for v in s.values), default=0)
    return peak if peak > 0 else 1.0


def render(chart: Chart) -> str:
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    top = _top(chart)
    n = max(1, len(chart.labels))
    slot = plot_w / n
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
             f'role="img" aria-labelledby="{escape(chart.id)}-title" class="chart">',
             f'<title id="{escape(chart.id)}-title">{escape(chart.title)}</title>']
    for step in range(5):
        value = top * step / 4
        y = TOP + plot_h - plot_h * step / 4
        parts.append(f'<line x1="{LEFT}" x2="{LEFT + plot_w}" y1="{y:.1f}" y2="{y:.1f}" '
                     f'class="grid"/><text x="{LEFT - 6}" y="{y + 4:.1f}" '
                     f'text-anchor="end" class="axis">{_num(round(value, 1))}</text>')
    for i, label in enumerate(chart.labels):
        x = LEFT + slot * (i + 0.5)
        parts.append(f'<text x="{x:.1f}" y="{HEIGHT - BOTTOM + 16}" text-anchor="middle" '
                     f'class="axis">{escape(label)}</text>')
    if chart.line:
        parts.extend(_lines(chart, top=top, slot=slot, plot_h=plot_h))
    else:
        parts.extend(_bars(chart, top=top, slot=slot, plot_h=plot_h))
    for k, series in enumerate(chart.series):
        y = TOP + 14 + 18 * k
        colour = PALETTE[k % len(PALETTE)]
        parts.append(f'<rect x="{WIDTH - RIGHT + 12}" y="{y - 10}" width="12" height="12" '
                     f'fill="{colour}"/><text x="{WIDTH - RIGHT + 30}" y="{y}" '
                     f'class="legend">{escape(series.name)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _bars(chart: Chart, *, top: float, slot: float, plot_h: float) -> list[str]:
    parts = []
    count = len(chart.series)
    for i in range(len(chart.labels)):
        base = TOP + plot_h
        for k, series in enumerate(chart.series):
            value = series.values[i]
            height = plot_h * value / top
            colour = PALETTE[k % len(PALETTE)]
            if chart.stacked:
                x, width = LEFT + slot * i + slot * 0.15, slot * 0.7
                base -= height
                y = base
            else:
                width = slot * 0.8 / max(1, count)
                x, y = LEFT + slot * i + slot * 0.1 + width * k, TOP + plot_h - height
            parts.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{width:.1f}" '
                         f'height="{height:.1f}" fill="{colour}"><title>'
                         f'{escape(chart.labels[i])} {escape(series.name)}: {_num(value)}'
                         f'{escape(chart.unit)}</title></rect>')
    return parts


def _lines(chart: Chart, *, top: float, slot: float, plot_h: float) -> list[str]:
    parts = []
    for k, series in enumerate(chart.series):
        colour = PALETTE[k % len(PALETTE)]
        points = [(LEFT + slot * (i + 0.5), TOP + plot_h - plot_h * v / top)
                  for i, v in enumerate(series.values)]
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
        parts.append(f'<polyline points="{path}" fill="none" stroke="{colour}" '
                     f'stroke-width="2"/>')
        for (x, y), value, label in zip(points, series.values, chart.labels, strict=True):
            parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{colour}"><title>'
                         f'{escape(label)}: {_num(value)}{escape(chart.unit)}</title></circle>')
    return parts
