"""Placing a 12345 order in a community, and in one of our case categories. Pure."""

from __future__ import annotations

import re
import unicodedata

from schema.lists import categories

OTHER = "其他"


def normalise(text: str) -> str:
    """Half-width digits and letters, no spaces: "淞虹路６７４ 弄" → "淞虹路674弄"."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def keyword_index(communities: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """(keyword, community id) pairs from each community's space-separated keywords."""
    return [(normalise(k), cid) for cid, keywords in communities
            for k in keywords.split() if normalise(k)]


def match_community(address: str, index: list[tuple[str, str]]) -> str | None:
    """The community whose keyword the address holds; the longest keyword wins.

    A keyword must not follow a digit ("天山路14弄" is not in "天山路114弄"); two different
    communities matching equally well is left for a person to decide.
    """
    text = normalise(address)
    best: list[tuple[int, str]] = []
    for keyword, community_id in index:
        if re.search(r"(?<!\d)" + re.escape(keyword), text):
            best.append((len(keyword), community_id))
    if not best:
        return None
    longest = max(length for length, _ in best)
    winners = {cid for length, cid in best if length == longest}
    return winners.pop() if len(winners) == 1 else None


def category_of(hotline_category: str) -> str:
    """Our category for a hotline classification like "城市管理-市容环境-占道经营"."""
    values = [c.value for c in categories() if not c.retired and c.value != OTHER]
    for segment in reversed(re.split(r"[-－/>、]", hotline_category)):
        segment = segment.strip()
        if not segment:
            continue
        for value in values:
            if value in segment or segment in value:
                return value
    return OTHER
