"""What the two access matrices share (test_access_matrix.py: one district;
test_access_matrix_city.py: across levels): the tally of pairs, leaks and misses,
the parent-link oracle helpers and the text of a response."""

from __future__ import annotations

from dataclasses import dataclass, field


def chain(unit) -> list:
    """The unit and every unit above it, by parent links."""
    out = []
    while unit is not None:
        out.append(unit)
        unit = unit.parent
    return out


def below_or_same(unit, top) -> bool:
    return unit is not None and top is not None and top in chain(unit)


def response_text(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode("utf-8", "replace")
    return response.content.decode("utf-8", "replace")


@dataclass
class Matrix:
    """Pairs (way, user, object) checked against the oracle: a leak is reached but not
    expected, a miss expected but not reached."""

    pairs: int = 0
    leaks: list = field(default_factory=list)
    misses: list = field(default_factory=list)
    by_way: dict = field(default_factory=dict)

    def check(self, way: str, user, obj, expected: bool, reached: bool) -> None:
        self.pairs += 1
        self.by_way[way] = self.by_way.get(way, 0) + 1
        if reached and not expected:
            self.leaks.append((way, user.username, str(obj)))
        elif expected and not reached:
            self.misses.append((way, user.username, str(obj)))

    def named(self, p, text: str) -> bool:
        """The petition's number appears in ``text``."""
        return p.case_number in text

    def scan(self, way: str, user, text: str, hidden: list) -> None:
        """No number of a petition hidden from ``user`` anywhere in an answer."""
        for p in hidden:
            self.check(f"{way} (text)", user, p.case_number, False, self.named(p, text))
