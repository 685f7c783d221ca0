"""The 专报's charts as PNG images (matplotlib, no display), labelled with the system's CJK font."""

from __future__ import annotations

import threading
from functools import cache
from io import BytesIO
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")

from matplotlib import font_manager  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

# Debian's fonts-noto-cjk (or the WenQuanYi / Droid fallbacks); nothing is downloaded.
CJK_FONTS = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
)
BLUE, GREEN, AMBER, LIGHT = "#1d5fa8", "#1e7b4f", "#a35a00", "#b9cde6"
DPI = 150
# matplotlib's font cache and text layout are not thread-safe; huey runs jobs in threads.
_LOCK = threading.Lock()


@cache
def cjk_font() -> str | None:
    """The family name of the first CJK font installed, registered with matplotlib; None if there is none."""
    for path in CJK_FONTS:
        if Path(path).exists():
            font_manager.fontManager.addfont(path)
            return str(font_manager.FontProperties(fname=path).get_name())
    return None


def _figure(width: float, height: float) -> Figure:
    fig = Figure(figsize=(width, height), dpi=DPI)
    family = cjk_font()
    if family:
        fig.set_layout_engine("constrained")
        matplotlib.rcParams["font.family"] = [family, "sans-serif"]
    matplotlib.rcParams["axes.unicode_minus"] = False
    return fig


def _png(fig: Figure) -> bytes:
    out = BytesIO()
    fig.savefig(out, format="png", dpi=DPI)
    return out.getvalue()


def trend_chart(trend: dict[str, list[Any]]) -> bytes:
    """Daily intake (bars) with 按时办结率 and 综合满意率 (lines, right axis)."""
    with _LOCK:
        fig = _figure(6.4, 2.8)
        ax = fig.add_subplot()
        x = list(range(len(trend["days"])))
        ax.bar(x, trend["intake"], color=LIGHT, label="受理量")
        ax.set_ylabel("受理量（件）")
        ax.set_xticks(x[:: max(1, len(x) // 10)], trend["days"][:: max(1, len(x) // 10)], fontsize=7)
        ax.tick_params(axis="y", labelsize=7)
        ax2 = ax.twinx()
        for key, label, color in (("ontime", "按时办结率", BLUE), ("satisfaction", "综合满意率", GREEN)):
            pts = [(i, v) for i, v in zip(x, trend[key], strict=False) if v is not None]
            if pts:
                ax2.plot(
                    [p[0] for p in pts],
                    [p[1] for p in pts],
                    color=color,
                    marker="o",
                    ms=2,
                    lw=1.2,
                    label=label,
                )
        ax2.set_ylim(0, 105)
        ax2.set_ylabel("比率（%）")
        ax2.tick_params(axis="y", labelsize=7)
        handles = ax.get_legend_handles_labels()[0] + ax2.get_legend_handles_labels()[0]
        ax.legend(handles=handles, loc="lower left", fontsize=7, ncols=3, frameon=False)
        for spine in ("top",):
            ax.spines[spine].set_visible(False)
            ax2.spines[spine].set_visible(False)
        return _png(fig)


def bar_chart(
    names: list[str], values: list[float], *, label: str, color: str = BLUE, limit: float | None = None
) -> bytes:
    """Horizontal bars, largest on top (categories by volume, departments by score)."""
    with _LOCK:
        fig = _figure(6.4, max(1.6, 0.26 * len(names) + 0.6))
        ax = fig.add_subplot()
        names, values = list(reversed(names)), list(reversed(values))
        bars = ax.barh(names, values, color=color, height=0.6)
        ax.bar_label(bars, labels=[f"{v:g}" for v in values], fontsize=7, padding=2)
        ax.set_xlabel(label, fontsize=8)
        ax.tick_params(labelsize=7)
        if limit is not None:
            ax.set_xlim(0, limit)
        else:
            ax.set_xlim(0, (max(values, default=0) or 1) * 1.15)
        ax.spines["top"].set_visible(False)
        ax.spines["right"].set_visible(False)
        return _png(fig)


def heat_chart(heat: dict[str, Any]) -> bytes:
    """District × top-level category intake as a heat grid with the counts written in."""
    cats, dists = heat["categories"], heat["districts"]
    with _LOCK:
        fig = _figure(6.4, max(1.6, 0.35 * len(dists) + 1.2))
        ax = fig.add_subplot()
        grid = [[0] * len(cats) for _ in dists]
        for c, d, n in heat["cells"]:
            grid[d][c] = n
        ax.imshow(grid, cmap="Blues", aspect="auto", vmin=0, vmax=max(1, heat["max"]))
        ax.set_xticks(range(len(cats)), cats, fontsize=7, rotation=30, ha="right")
        ax.set_yticks(range(len(dists)), dists, fontsize=7)
        for d, row in enumerate(grid):
            for c, n in enumerate(row):
                if n:
                    dark = n > heat["max"] * 0.6
                    ax.text(
                        c,
                        d,
                        str(n),
                        ha="center",
                        va="center",
                        fontsize=6,
                        color="white" if dark else "#1a1a1a",
                    )
        return _png(fig)
