"""What of a triage result one viewer may see (issue 13 §1).

Triage is computed once, by the system, over every petition; a stored result (and a fresh analysis
too) can therefore name petitions the viewer cannot open: an accusation against the viewer's unit,
a matter the viewer is recused from, a matter outside their scope.  Every presenter (the petition
page, the API, the desk panel) passes the result through these functions at read time, with the
set of petition ids the viewer may open (``visible_ids``):

- an evidence row naming a hidden petition is dropped;
- a flag whose message or suggested action rests on a hidden petition (its evidence rows and the
  action's ``earlier_id``) loses them: when none of its petition evidence is left the flag is not
  shown at all; otherwise its message is replaced by a neutral one naming no case, unit, status or
  count, and an action pointing to a hidden petition is removed;
- history, similar matters and collective-group members are kept only when visible (the presenters
  filter those lists with the same set).

Flags without petition evidence (a visit of many people, skip-level by the unit's level) name no
other matter and are shown as they are.
"""

from __future__ import annotations

from collections.abc import Iterable

from xinfang.petitions.access import visible_petitions

NEUTRAL = {
    "repeat": "同一信访人此前提出过相同或相近的事项，以下仅列出您有权查看的事项，请核实。",
    "collective": "近期有同一问题的其他信访，以下仅列出您有权查看的事项，疑似集体访苗头。",
}
DEFAULT_NEUTRAL = "研判发现相关事项，以下仅列出您有权查看的事项。"


def visible_ids(user, ids: Iterable) -> set[int]:
    """The ids among ``ids`` of petitions ``user`` may open (one query)."""
    wanted = sorted({int(i) for i in ids if i})
    if not wanted:
        return set()
    return set(visible_petitions(user, by_id=True).filter(pk__in=wanted).values_list("pk", flat=True))


def flag_refs(flag: dict) -> set[int]:
    """Every petition a flag's message, evidence or action rests on."""
    refs = {int(e["petition_id"]) for e in flag.get("evidence") or [] if e.get("petition_id")}
    earlier = (flag.get("action") or {}).get("earlier_id")
    if earlier:
        refs.add(int(earlier))
    return refs


def flags_refs(flags: Iterable[dict]) -> set[int]:
    out: set[int] = set()
    for f in flags:
        out |= flag_refs(f)
    return out


def visible_flags(flags: Iterable[dict], visible: set[int]) -> list[dict]:
    """The flags as a viewer who may open exactly ``visible`` may see them (see the module doc)."""
    out = []
    for flag in flags:
        flag = dict(flag)
        refs = flag_refs(flag)
        hidden = refs - visible
        if not hidden:
            out.append(flag)
            continue
        evidence = [
            e for e in flag.get("evidence") or [] if not e.get("petition_id") or e["petition_id"] in visible
        ]
        if not any(e.get("petition_id") for e in evidence):
            continue  # it rests only on matters this viewer may not open
        action = flag.get("action")
        if action and action.get("earlier_id") not in visible:
            action = None
        kind = flag.get("kind", "")
        out.append(
            {
                **flag,
                "case": "partial",
                "message": NEUTRAL.get(kind, DEFAULT_NEUTRAL),
                "article": "",
                "evidence": evidence,
                "action": action,
            }
        )
    return out
