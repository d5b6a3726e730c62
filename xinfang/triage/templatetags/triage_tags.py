from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def triage_for(context, petition):
    """The stored triage of ``petition`` as the current user may see it (None before it is computed)."""
    from xinfang.triage.service import record_json

    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or petition is None:
        return None
    return record_json(user, petition)


@register.simple_tag
def triage_state(petition) -> str:
    """done / pending (queued for the worker) / none."""
    from xinfang.triage.queue import status

    return status(petition) if petition is not None else "none"


@register.filter
def percent(value) -> str:
    try:
        return f"{float(value) * 100:.0f}%"
    except (TypeError, ValueError):
        return "—"
