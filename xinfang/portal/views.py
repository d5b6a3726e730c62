"""网上信访: the public pages.  No login; a case is opened with its number and
query code and kept in the session (session.py).  Every write goes through the
petitions actions with actor=None."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_http_methods, require_POST

from xinfang.accounts import ratelimit
from xinfang.documents.delivery import confirm_shown_on_portal, delivery_for_token, document_confirm_opened
from xinfang.documents.models import DeliveryMethod
from xinfang.lib import crypto
from xinfang.lib.crypto import normalise
from xinfang.lib.idcard import is_mobile
from xinfang.petitions import actions
from xinfang.petitions.choices import Channel, EvaluationStage, OnlineSource, Status
from xinfang.petitions.errors import ActionError
from xinfang.petitions.models import Petition
from xinfang.units import places

from . import captcha, public, submit_token
from .forms import EvaluateForm, LookupForm, ReviewForm, SubmitForm
from .session import forget, remember, verified_petition

HOUR, DAY = 3600, 86400
LOOKUP_WINDOW = 15 * 60


def _limit(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def client_ip(request) -> str:
    # Behind a reverse proxy, the proxy must set REMOTE_ADDR (e.g. uwsgi/gunicorn forwarded-allow-ips).
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def booking_url() -> str | None:
    """The leader reception booking page, when the reception app provides one."""
    try:
        return reverse("reception:booking")
    except NoReverseMatch:
        return None


def _no_store(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store"
    return response


def home(request):
    return render(request, "portal/home.html", {"booking_url": booking_url()})


def _render_submit(request, form: SubmitForm, status: int = 200, notice: str = ""):
    """The form with a new captcha.  It keeps its submission token while the token may
    still register (a form shown again after an error is the same form); otherwise it gets
    a fresh one."""
    challenge = captcha.issue()
    form.data = form.data.copy() if form.is_bound else form.data
    values = form.data if form.is_bound else form.initial
    if not submit_token.usable(values.get(submit_token.FIELD, "")):
        values[submit_token.FIELD] = submit_token.issue()
    if form.is_bound:
        form.data["captcha_id"], form.data["captcha"] = challenge.id, ""
    else:
        form.initial["captcha_id"] = challenge.id
    context = {"form": form, "challenge": challenge, "notice": notice}
    return _no_store(render(request, "portal/submit.html", context, status=status))


def _typed(request, *, token: bool) -> dict:
    """What was typed, for a form shown again without it being bound (files cannot be kept)."""
    return {
        k: v
        for k, v in request.POST.dict().items()
        if not k.startswith("captcha") and (token or k != submit_token.FIELD)
    }


# Field names of the register action's errors → the form's fields.
ACTION_FIELDS = {
    "petitioners.0.name": "name",
    "petitioners.0.id_number": "id_number",
    "petitioners.0.phone": "phone",
    "title": "title",
    "content": "content",
    "town": "town",
    # No place and no bureau chosen while several bureaus exist: said next to the picker.
    "bureau": "town",
    "category": "category",
    "attachments": "attachments",
}


def first_sentence(text: str, limit: int = 40) -> str:
    """A title for a petition submitted without one: its first sentence, shortened."""
    text = text.strip().replace("\n", " ")
    for stop in "。！？!?；;":
        if stop in text[: limit + 1]:
            text = text[: text.index(stop)]
    return text[:limit]


def _register(form: SubmitForm, key: str, fingerprint: str) -> tuple[Petition, bool]:
    """Register once per submission token: (petition, created)."""
    data = form.cleaned_data
    title = data["title"].strip() or first_sentence(data["request"] or data["content"])
    town_id, bureau_id = form.place()
    person = actions.PetitionerInput(
        name=data["name"],
        id_number=data["id_number"],
        phone=data["phone"],
        address=data["address"],
        email=data["email"],
    )
    petition_input = actions.PetitionInput(
        channel=Channel.ONLINE,
        source=OnlineSource.PORTAL,
        title=title,
        request=data["request"],
        facts_reasons=data["facts_reasons"],
        content=data["content"],
        petitioners=[person],
        town_id=town_id,
        bureau_id=bureau_id,
        category_id=int(data["category"]) if data["category"] else None,
    )

    def attach(petition: Petition) -> None:
        # In the registration's transaction: a rejected attachment leaves no petition behind.
        for upload in data["attachments"]:
            actions.attachment_add(petition=petition, upload=upload, actor=None, is_public=True)

    return actions.petition_register_idempotent(
        actor=None, data=petition_input, key=key, fingerprint=fingerprint, actor_label="信访人", then=attach
    )


TOKEN_INVALID = (
    "本页面已失效（表单须在打开后{hours}小时内提交），本次提交未被登记。"
    "请核对您填写的内容，重新输入验证码后再次提交；附件需重新选择。"
)
TOKEN_USED = (
    "这份表单已经提交并登记过，本次修改后的内容未被登记。"
    "如需反映新的问题，请核对下面的内容，重新输入验证码后提交；查询原事项请使用提交后显示的编号和查询码。"
)


def _receipt(request, petition: Petition, query_code: str):
    remember(request, petition)
    context = {
        "petition": petition,
        "query_code": query_code,
        "has_email": bool(request.POST.get("email", "").strip()),
        "has_mobile": is_mobile(normalise(request.POST.get("phone", ""))),
        "bureau": places.bureau_of_petition(petition),
    }
    return _no_store(render(request, "portal/submitted.html", context))


def _already_submitted(request, key: str, fingerprint: str):
    """The answer to a form whose token has registered a petition, or None when it has not.
    Waits for a submission of the same form still in flight (idempotency_key_settled)."""
    stored = actions.idempotency_key_settled(actor=None, key=key)
    if stored is None:
        return None
    if stored.request_hash != fingerprint:
        form = SubmitForm(initial=_typed(request, token=False))
        return _render_submit(request, form, status=409, notice=TOKEN_USED)
    return _receipt(request, stored.petition, crypto.decrypt(stored.petition.query_code_enc))


def _over_limits(request, form: SubmitForm) -> int | None:
    """429 with the form's error when this address or phone has submitted too often."""
    per_ip, per_phone = _limit("PORTAL_SUBMIT_PER_IP_HOUR", 5), _limit("PORTAL_SUBMIT_PER_PHONE_DAY", 3)
    if not ratelimit.hit("portal-submit-ip", client_ip(request), limit=per_ip, window_seconds=HOUR):
        form.add_error(
            None,
            f"提交过于频繁：同一网络每小时最多提交{per_ip}件，请稍后再试。"
            "如情况紧急，请拨打信访部门电话或前往接待场所反映。",
        )
        return 429
    if not ratelimit.hit(
        "portal-submit-phone", form.cleaned_data["phone"], limit=per_phone, window_seconds=DAY
    ):
        form.add_error("phone", f"同一手机号码每天最多提交{per_phone}件信访事项，请明天再试。")
        return 429
    return None


@require_http_methods(["GET", "POST"])
def submit(request):
    if request.method == "GET":
        return _render_submit(request, SubmitForm())
    if request.POST.get("captcha_switch"):
        # A new image keeps what was typed, and the form's token.
        return _render_submit(request, SubmitForm(initial=_typed(request, token=True)))
    token = submit_token.read(request.POST.get(submit_token.FIELD, ""))
    fingerprint = submit_token.fingerprint(request.POST, request.FILES)
    if token is not None and (answer := _already_submitted(request, token.key, fingerprint)):
        return answer
    if token is None or token.expired:
        form = SubmitForm(initial=_typed(request, token=False))
        notice = TOKEN_INVALID.format(hours=settings.PORTAL_SUBMIT_TOKEN_HOURS)
        return _render_submit(request, form, status=400, notice=notice)
    form = SubmitForm(request.POST, request.FILES)
    captcha_error = captcha.verify(
        request.session, request.POST.get("captcha_id", ""), request.POST.get("captcha", "")
    )
    valid = form.is_valid()
    if captcha_error:
        form.add_error("captcha", captcha_error)
    if valid and not captcha_error:
        status = _over_limits(request, form)
    else:
        status = 400
    if status:
        # A twin POST of this form (a double click) may have consumed the captcha or the
        # limits: when it registered, answer with its receipt.
        if answer := _already_submitted(request, token.key, fingerprint):
            return answer
        return _render_submit(request, form, status=status)
    try:
        petition, created = _register(form, token.key, fingerprint)
    except ActionError as exc:
        if exc.code == "idempotency_conflict":
            form = SubmitForm(initial=_typed(request, token=False))
            return _render_submit(request, form, status=409, notice=TOKEN_USED)
        for field, message in exc.fields.items():
            form.add_error(
                ACTION_FIELDS.get(field) if ACTION_FIELDS.get(field) in form.fields else None, message
            )
        if not exc.fields:
            form.add_error(None, exc.message)
        return _render_submit(request, form, status=400)
    # The plain query code is on a new petition; a concurrent twin that lost decrypts the stored one.
    return _receipt(
        request, petition, petition.query_code if created else crypto.decrypt(petition.query_code_enc)
    )


@require_http_methods(["GET", "POST"])
def lookup(request):
    if request.method == "GET":
        form = LookupForm(initial={"case_number": request.GET.get("case", "")[:40]})
        return render(request, "portal/lookup.html", {"form": form})
    form = LookupForm(request.POST)
    if not form.is_valid():
        return render(request, "portal/lookup.html", {"form": form}, status=400)
    ip, case_number = client_ip(request), form.cleaned_data["case_number"]
    ip_limit = _limit("PORTAL_LOOKUP_FAILURES_PER_IP", 10)
    case_limit = _limit("PORTAL_LOOKUP_FAILURES_PER_CASE", 10)
    # Failures lock the address that made them (across cases, and per case);
    # failures on a case from anywhere only slow its lookups down (2, 4 … 60 s),
    # so strangers cannot lock the real petitioner out of their own case.
    pair = f"{case_number}\n{ip}"
    if ratelimit.blocked(
        "portal-lookup-ip", ip, limit=ip_limit, window_seconds=LOOKUP_WINDOW
    ) or ratelimit.blocked("portal-lookup-pair", pair, limit=case_limit, window_seconds=LOOKUP_WINDOW):
        form.add_error(None, "查询失败次数过多，请15分钟后再试。")
        return render(request, "portal/lookup.html", {"form": form}, status=429)
    if wait := ratelimit.wait_seconds(
        "portal-lookup-case", case_number, free=case_limit, window_seconds=HOUR
    ):
        form.add_error(None, f"该信访件近期查询失败较多，请{wait}秒后再试。")
        return render(request, "portal/lookup.html", {"form": form}, status=429)
    petition = Petition.objects.filter(case_number=case_number).first()
    if petition is None or not petition.check_query_code(form.cleaned_data["query_code"]):
        ratelimit.hit("portal-lookup-ip", ip, limit=ip_limit, window_seconds=LOOKUP_WINDOW)
        ratelimit.hit("portal-lookup-pair", pair, limit=case_limit, window_seconds=LOOKUP_WINDOW)
        ratelimit.hit("portal-lookup-case", case_number, limit=case_limit, window_seconds=HOUR)
        form.add_error(None, "信访件编号或查询码不正确，请核对后重新输入。")
        return render(request, "portal/lookup.html", {"form": form}, status=400)
    remember(request, petition)
    return redirect("portal:case")


def _opened(request):
    petition = verified_petition(request)
    if petition is None:
        messages.info(request, "请输入信访件编号和查询码查询。为保护您的信息，查询状态30分钟后自动失效。")
    return petition


def case(request):
    petition = _opened(request)
    if petition is None:
        return redirect("portal:lookup")
    # Showing the documents here is their electronic delivery (送达), with the time.
    confirm_shown_on_portal(petition, public.public_documents(petition))
    deadlines = public.public_deadlines(petition)
    context = {
        "petition": petition,
        "status_text": public.status_text(petition),
        "timeline": public.public_timeline(petition),
        "deadlines": deadlines,
        "any_provisional": any(d.provisional for d in deadlines),
        "documents": public.public_documents(petition),
        "evaluable": [(s, EvaluationStage(s).label) for s in public.evaluable_stages(petition)],
        "window": public.review_window(petition),
        "booking_url": booking_url(),
    }
    return _no_store(render(request, "portal/case.html", context))


@require_http_methods(["GET", "POST"])
def evaluate(request):
    petition = _opened(request)
    if petition is None:
        return redirect("portal:lookup")
    allowed = public.evaluable_stages(petition)
    stage = request.POST.get("stage") or request.GET.get("stage") or (allowed[0] if allowed else "")
    context = {
        "petition": petition,
        "stage": stage,
        "stage_label": EvaluationStage(stage).label if stage in EvaluationStage.values else "",
    }
    if stage not in allowed:
        context["refusal"] = (
            "该事项当前不能评价：受理情况在作出受理决定后评价，办理情况在办结后评价，每个环节只能评价一次。"
        )
        return render(
            request, "portal/evaluate.html", context, status=409 if request.method == "POST" else 200
        )
    form = EvaluateForm(request.POST or None, initial={"stage": stage})
    if request.method == "POST" and form.is_valid():
        try:
            actions.petition_evaluate(
                petition=petition,
                stage=form.cleaned_data["stage"],
                rating=form.cleaned_data["rating"],
                comment=form.cleaned_data["comment"],
                actor=None,
                actor_label="信访人",
            )
        except ActionError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "感谢您的评价！")
            return redirect("portal:case")
    context["form"] = form
    return render(request, "portal/evaluate.html", context, status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
def review(request):
    petition = _opened(request)
    if petition is None:
        return redirect("portal:lookup")
    opinion = public.current_opinion_document(petition)
    if opinion is not None and petition.status == Status.OPINION_ISSUED:
        # This page names and links the opinion: it is delivered when shown.
        confirm_shown_on_portal(petition, [opinion])
    window = public.review_window(petition)
    context = {"petition": petition, "window": window, "opinion": opinion}
    if window is None:
        context["refusal"] = (
            "该事项当前不能请求复查或复核：只有在收到处理意见（复查意见）后的30日内可以请求。"
        )
        return render(request, "portal/review.html", context, status=409 if request.method == "POST" else 200)
    if not window.started:
        context["refusal"] = (
            f"{window.word}请求期限自收到书面答复之日起计算，意见书尚未送达。"
            "请在收到意见书后提出，或与承办单位联系。"
        )
        return render(request, "portal/review.html", context, status=409 if request.method == "POST" else 200)
    if not window.open:
        due = f"（{window.due:%Y年%m月%d日}）" if window.due else ""
        context["refusal"] = (
            f"已超过自收到书面答复之日起30日的{window.word}请求期限{due}，不能再请求{window.word}"
            f"（{window.basis}）。如有新的事实和理由，可以重新提出信访事项。"
        )
        return render(request, "portal/review.html", context, status=409 if request.method == "POST" else 200)
    form = ReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        action = (
            actions.petition_request_review if window.step == "review" else actions.petition_request_rereview
        )
        try:
            action(petition=petition, reason=form.cleaned_data["reason"], actor=None, actor_label="信访人")
        except ActionError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"您的{window.word}请求已提交，将自收到之日起30日内答复。")
            return redirect("portal:case")
    context["form"] = form
    return render(request, "portal/review.html", context, status=400 if form.errors else 200)


def document(request, pk: int):
    """A public notice of the opened case as PDF."""
    petition = verified_petition(request)
    if petition is None:
        return redirect("portal:lookup")
    found = [d for d in public.public_documents(petition) if d.pk == pk]
    if not found:
        raise Http404("文书不存在")
    doc = found[0]
    response = HttpResponse(doc.pdf(), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="notice-{doc.pk}.pdf"'
    return _no_store(response)


def delivery_link(request, token: str):
    """The link of an SMS delivery: opening it is the receipt (送达) of the document."""
    delivery = delivery_for_token(token)
    if delivery is None:
        raise Http404("链接无效或已过期")
    document = delivery.document
    document_confirm_opened(document=document, method=DeliveryMethod.SMS, delivery=delivery)
    response = HttpResponse(document.pdf(), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="notice-{document.pk}.pdf"'
    response["Referrer-Policy"] = "no-referrer"
    return _no_store(response)


@require_POST
def leave(request):
    forget(request)
    messages.info(request, "已退出查询。")
    return redirect("portal:home")
