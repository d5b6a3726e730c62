"""A small offline captcha: an image of 4–5 characters.

The answer is kept only as an HMAC (keyed by SECRET_KEY and the challenge id)
in a CaptchaChallenge row with an expiry; `verify` deletes the row whatever the
result, so each challenge is single use, also under concurrent requests.  The
image is inlined as a data: URI, so the page works without JavaScript and
without a second request.  People who cannot read it are pointed to the
telephone and the reception office (templates/portal/_captcha.html).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
import secrets
import shutil
import subprocess
from dataclasses import dataclass
from datetime import timedelta
from functools import lru_cache

from django.conf import settings
from django.utils import timezone
from PIL import Image, ImageDraw, ImageFilter, ImageFont

TTL_SECONDS = 10 * 60
# No glyphs that are easily confused: 0/O/Q/D, 1/I/L, 2/Z, 5/S, 6/G, 8/B, U/V.
ALPHABET = "ACEFHJKMNPRTWXY3479"
FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
)


@dataclass(frozen=True)
class Challenge:
    id: str
    kind: str  # always "image"
    prompt: str  # data: URI of the image
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


def new_answer() -> str:
    rng = secrets.SystemRandom()
    return "".join(rng.choice(ALPHABET) for _ in range(rng.choice((4, 5))))


def issue(session=None, kind: str = "image") -> Challenge:
    """Create a challenge and return it (only the answer's HMAC is stored).

    Always an image: the former arithmetic question was plain text in the page
    (a parser solved all of them) and any request could ask for it.  `session`
    and `kind` are accepted for callers written for that version and ignored."""
    from .models import CaptchaChallenge

    now = timezone.now()
    challenge_id = secrets.token_urlsafe(12)
    answer = new_answer()
    prompt = "data:image/png;base64," + base64.b64encode(render_png(answer)).decode("ascii")
    CaptchaChallenge.objects.create(
        id=challenge_id, digest=_digest(challenge_id, answer), expires_at=now + timedelta(seconds=TTL_SECONDS)
    )
    if secrets.randbelow(100) == 0:
        CaptchaChallenge.objects.filter(expires_at__lt=now).delete()
    return Challenge(id=challenge_id, kind="image", prompt=prompt, answer=answer)


def verify(session, challenge_id: str, answer: str) -> str | None:
    """None when `answer` solves the challenge; otherwise a Chinese message.

    The challenge is consumed by a conditional DELETE whatever the result: of
    concurrent requests answering one challenge, only the one whose DELETE
    removed the row can succeed."""
    from .models import CaptchaChallenge

    entry = CaptchaChallenge.objects.filter(pk=(challenge_id or "")[:32]).first()
    if entry is None:
        return "验证码已失效，请重新输入新的验证码"
    deleted, _ = CaptchaChallenge.objects.filter(pk=entry.pk).delete()
    if not deleted:  # another request consumed it first
        return "验证码已失效，请重新输入新的验证码"
    if entry.expires_at < timezone.now():
        return "验证码已过期，请重新输入新的验证码"
    if not normalise(answer):
        return "请输入验证码"
    if not hmac.compare_digest(entry.digest, _digest(challenge_id, answer)):
        return "验证码不正确，请重新输入"
    return None
