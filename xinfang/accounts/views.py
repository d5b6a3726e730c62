"""Login with attempt limits in the usual practice (django-axes style).

- per account *and* address: LOGIN_ATTEMPTS_PER_15_MIN failures refuse that
  pair for the rest of its 15-minute window — a guesser locks only itself;
- per address, across accounts: LOGIN_ATTEMPTS_PER_IP_15_MIN failures (a
  higher number: an office behind one NAT address shares it);
- per account, from anywhere: a growing delay (2, 4, 8 … at most 60 seconds
  between attempts) after LOGIN_ATTEMPTS_PER_15_MIN failures, never a lock,
  so strangers cannot shut the real user out.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from . import ratelimit

WINDOW = 15 * 60


class LimitedAuthenticationForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _("用户名或密码不正确"),
        "inactive": _("该账号已停用"),
    }

    def clean(self):
        username = (self.data.get("username") or "").strip().lower()
        ip = (self.request.META.get("REMOTE_ADDR", "") if self.request else "") or "unknown"
        per_pair = settings.LOGIN_ATTEMPTS_PER_15_MIN
        per_ip = settings.LOGIN_ATTEMPTS_PER_IP_15_MIN
        pair = f"{username}\n{ip}"
        if ratelimit.blocked("login-pair", pair, limit=per_pair, window_seconds=WINDOW) or ratelimit.blocked(
            "login-ip", ip, limit=per_ip, window_seconds=WINDOW
        ):
            raise ValidationError(_("登录尝试次数过多，请15分钟后再试"), code="rate_limited")
        if username and (
            wait := ratelimit.wait_seconds("login-user", username, free=per_pair, window_seconds=WINDOW)
        ):
            raise ValidationError(
                _("该账号近期登录失败较多，请%(wait)s秒后再试") % {"wait": wait}, code="rate_limited"
            )
        try:
            return super().clean()
        except ValidationError:
            ratelimit.hit("login-pair", pair, limit=per_pair, window_seconds=WINDOW)
            ratelimit.hit("login-ip", ip, limit=per_ip, window_seconds=WINDOW)
            if username:
                ratelimit.hit("login-user", username, limit=per_pair, window_seconds=WINDOW)
            raise


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LimitedAuthenticationForm
    redirect_authenticated_user = True
