"""A small offline captcha: an image of 4–5 characters, or an arithmetic question.

The answer is kept in the session only as an HMAC (keyed by SECRET_KEY and the
challenge id) with an expiry; `verify` consumes the challenge whatever the
result, so each one is single use.  The image is inlined as a data: URI, so the
page works without JavaScript and without a second request.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
import secrets
import shutil
import subprocess
import time
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from PIL import Image, ImageDraw, ImageFilter, ImageFont

SESSION_KEY = "portal_captcha"
TTL_SECONDS = 10 * 60
MAX_PENDING = 5
# No glyphs that are easily confused: 0/O/Q/D, 1/I/L, 2/Z, 5/S, 6/G, 8/B, U/V.
ALPHABET = "ACEFHJKMNPRTWXY3479"
FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
)
CN_DIGITS = "零一二三四五六七八九十"


@dataclass(frozen=True)
class Challenge:
    id: str
    kind: str  # "image" or "text"
    prompt: str  # data: URI of the image, or the question
    answer: str


def _digest(challenge_id: str, answer: str) -> str:
    key = hashlib.sha256(f"portal-captcha:{settings.SECRET_KEY}".encode()).digest()
    return hmac.new(key, f"{challenge_id}:{normalise(answer)}".encode(), hashlib.sha256).hexdigest()


def normalise(answer: str) -> str:
    return "".join((answer or "").split()).upper()


@lru_cache(maxsize=1)
def _font_path() -> str | None:
    for path in FONT_CANDIDATES:
        try:
            with open(path, "rb"):
                return path
        except OSError:
            continue
    if shutil.which("fc-match"):
        try:
            found = subprocess.run(
                ["fc-match", "-f", "%{file}", "DejaVu Sans:bold"], capture_output=True, text=True, timeout=5
            ).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            found = ""
        if found.endswith((".ttf", ".otf")):
            return found
    return None


def _font(size: int):
    path = _font_path()
    if path:
        return ImageFont.truetype(path, size)
    return ImageFont.load_default(size=size)


def render_png(text: str) -> bytes:
    """The characters, each jittered and rotated, over noise lines and dots."""
    rng = secrets.SystemRandom()
    width, height = 40 * len(text) + 30, 64
    image = Image.new("RGB", (width, height), (246, 248, 252))
    draw = ImageDraw.Draw(image)
    for _ in range(6):
        colour = tuple(rng.randint(120, 200) for _ in range(3))
        draw.line(
            [
                (rng.randint(0, width), rng.randint(0, height)),
                (rng.randint(0, width), rng.randint(0, height)),
            ],
            fill=colour,
            width=2,
        )
    font = _font(40)
    x = 14
    for char in text:
        glyph = Image.new("RGBA", (52, 60), (0, 0, 0, 0))
        colour = (rng.randint(10, 90), rng.randint(20, 90), rng.randint(80, 150), 255)
        ImageDraw.Draw(glyph).text((8, 4), char, font=font, fill=colour)
        glyph = glyph.rotate(rng.uniform(-25, 25), resample=Image.Resampling.BICUBIC, expand=False)
        image.paste(glyph, (x + rng.randint(-3, 3), rng.randint(-2, 6)), glyph)
        x += 40
    for _ in range(2):
        colour = tuple(rng.randint(60, 140) for _ in range(3))
        y = rng.randint(18, height - 18)
        draw.line([(0, y), (width, y + rng.randint(-15, 15))], fill=colour, width=2)
    for _ in range(width * 2):
        draw.point(
            (rng.randrange(width), rng.randrange(height)), fill=tuple(rng.randint(100, 220) for _ in range(3))
        )
    image = image.filter(ImageFilter.SMOOTH)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def _cn_number(n: int) -> str:
    if n <= 10:
        return CN_DIGITS[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else CN_DIGITS[tens]) + "十" + (CN_DIGITS[ones] if ones else "")


def _store(session, challenge_id: str, kind: str, answer: str) -> None:
    now = time.time()
    pending = {k: v for k, v in session.get(SESSION_KEY, {}).items() if v.get("exp", 0) > now}
    while len(pending) >= MAX_PENDING:
        pending.pop(min(pending, key=lambda k: pending[k]["exp"]))
    pending[challenge_id] = {"h": _digest(challenge_id, answer), "exp": now + TTL_SECONDS, "k": kind}
    session[SESSION_KEY] = pending


def issue(session, kind: str = "image") -> Challenge:
    """Create a challenge in `session` and return it (the answer is not stored)."""
    rng = secrets.SystemRandom()
    challenge_id = secrets.token_urlsafe(12)
    if kind == "text":
        a, b = rng.randint(1, 9), rng.randint(1, 9)
        if rng.random() < 0.5:
            answer, prompt = str(a + b), f"{_cn_number(a)}加{_cn_number(b)}等于几？（请填写阿拉伯数字）"
        else:
            a, b = max(a, b), min(a, b)
            answer, prompt = str(a - b), f"{_cn_number(a)}减{_cn_number(b)}等于几？（请填写阿拉伯数字）"
    else:
        kind = "image"
        answer = "".join(rng.choice(ALPHABET) for _ in range(rng.choice((4, 5))))
        prompt = "data:image/png;base64," + base64.b64encode(render_png(answer)).decode("ascii")
    _store(session, challenge_id, kind, answer)
    return Challenge(id=challenge_id, kind=kind, prompt=prompt, answer=answer)


def verify(session, challenge_id: str, answer: str) -> str | None:
    """None when `answer` solves the challenge; otherwise a Chinese message.
    The challenge is removed either way."""
    pending = dict(session.get(SESSION_KEY, {}))
    entry = pending.pop(challenge_id or "", None)
    session[SESSION_KEY] = pending
    if entry is None:
        return "验证码已失效，请重新输入新的验证码"
    if entry.get("exp", 0) < time.time():
        return "验证码已过期，请重新输入新的验证码"
    if not normalise(answer):
        return "请输入验证码"
    if not hmac.compare_digest(entry["h"], _digest(challenge_id, answer)):
        return "验证码不正确，请重新输入"
    return None
