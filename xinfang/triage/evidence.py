"""Which words may be shown to a person as the reason for a suggestion or a match ("依据", "相同之处").

Only whole words that read as words: two or more characters, Chinese or Latin letters only (no
punctuation, digits or amounts such as "8万元"), not a function word and not one of the filler words
that every petition uses (units of measure and time, pronouns, "情况", "问题" …). Pure Python.
"""

from __future__ import annotations

import re

from .segment import MASK_TOKEN, normalize
from .stopwords import STOPWORDS

_LETTERS = re.compile(r"^[\u4e00-\u9fffa-z]+$")

# Words that appear in almost any petition or say nothing about its matter. Kept short on purpose:
# "希望", "建议", "请问" stay, because they are what tells a suggestion or an inquiry apart.
FILLER = frozenset(
    """
    万元 千元 百元 元钱 块钱 多元 余元 万多 多万 平方米 平米 公里 米 小时 分钟 年底 年初 月份 今年 去年 明年
    前年 昨天 今天 明天 现在 目前 当时 时候 期间 以来 以后 以前 左右 之间 一直 一下 一个 一些 一次 一起 两个
    几个 多个 每个 每天 每月 每年 这是 那是 就是 还是 只是 但是 不是 可是 这边 那边 这里 那里 我家 我们 你们
    他们 她们 本人 自己 大家 有人 别人 人家 情况 问题 事情 东西 方面 相关 有关 有些 没有 已经 还有 如何 怎么
    什么 为何 为什么 是否 能否 可以 不能 需要 进行 表示 知道 觉得 认为 出现 发生 存在 造成 导致 作为 通过
    因为 所以 而且 并且 然后 如果 虽然 或者 以及 以上 以下 其中 其他 其它 等等 非常 特别 比较 十分 严重
    """.split()
)


def is_meaningful(word: str) -> bool:
    """True for a word fit to show as evidence (see the module docstring)."""
    word = normalize(word).strip()
    return (
        len(word) >= 2
        and word != MASK_TOKEN
        and bool(_LETTERS.match(word))
        and word not in STOPWORDS
        and word not in FILLER
    )


def meaningful(words) -> list[str]:
    """The meaningful words among ``words``, each once, in their order."""
    return [w for w in dict.fromkeys(words) if is_meaningful(w)]
