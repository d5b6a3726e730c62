"""Login with attempt limits per account and per address."""

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
        ip = self.request.META.get("REMOTE_ADDR", "") if self.request else ""
        limit = settings.LOGIN_ATTEMPTS_PER_15_MIN
        for scope, ident in (("login-user", username), ("login-ip", ip)):
            if ident and ratelimit.blocked(scope, ident, limit=limit, window_seconds=WINDOW):
                raise ValidationError(_("登录尝试次数过多，请15分钟后再试"), code="rate_limited")
        try:
            return super().clean()
        except ValidationError:
            for scope, ident in (("login-user", username), ("login-ip", ip)):
                if ident:
                    ratelimit.hit(scope, ident, limit=limit, window_seconds=WINDOW)
            raise


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LimitedAuthenticationForm
    redirect_authenticated_user = True
