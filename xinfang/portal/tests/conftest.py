import pytest

from xinfang.portal import captcha, submit_token


def solve_captcha(client=None, kind: str = "image") -> dict:
    """Issue a challenge the way the page does, and return the answer fields
    (tests know the answer; the database keeps only its HMAC)."""
    challenge = captcha.issue()
    return {"captcha_id": challenge.id, "captcha": challenge.answer}


def submission(world, **overrides) -> dict:
    data = {
        "name": "王小明",
        "id_number": "320706198001011236",
        "phone": "13912345678",
        "address": "新海街道朝阳小区5栋101室",
        "email": "",
        "town": str(world.town_a.pk),
        "category": str(world.subcategory.pk),
        "title": "",
        "request": "请求修复小区门口破损路面",
        "facts_reasons": "小区门口道路破损半年，多次反映无人处理，老人出行摔倒。",
        "content": "本人是朝阳小区居民，小区门口道路破损已半年，雨天积水，老人摔倒多次，请求尽快修复。",
        "truthful": "on",
        # Each call is a fresh render of the form, as a visitor's new page would be.
        "submit_token": submit_token.issue(),
    }
    data.update(overrides)
    return data


@pytest.fixture
def solve():
    return solve_captcha
