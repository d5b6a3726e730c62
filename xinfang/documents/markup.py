"""The small, safe markup of document templates that administrators edit.

A template body is a Django template restricted to:

- text with ``{{ variable }}`` (optionally ``|default:"…"``, ``|join:"、"``, ``|length``);
- ``{% if … %}`` / ``{% elif … %}`` / ``{% else %}`` / ``{% endif %}``,
  ``{% for x in list %}`` / ``{% empty %}`` / ``{% endfor %}`` and ``{# comments #}``.

After rendering, every non-blank line is one paragraph.  A line starting with ``# ``
is a heading (一级标题, 黑体); a line starting with ``@ `` is set flush left (the
addressee line 主送); every other line is a body paragraph indented two characters.

No other tag or filter is accepted, so a template cannot load libraries, include
files or reach objects beyond the plain values of the context.  A printed variable
missing from the context is an error, not an empty string: it catches typos.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.template import Context, Engine, TemplateSyntaxError
from django.template.base import Lexer, TokenType

HEADING = "heading"
ADDRESSEE = "addressee"
BODY = "body"

_MARKERS = {"# ": HEADING, "@ ": ADDRESSEE}
_PREFIX = {HEADING: "# ", ADDRESSEE: "@ ", BODY: ""}

_FILTER = r'\|(?:default|join)(?::"[^"{}%]*")?|\|length'
_NAME = r"[a-z][a-z0-9_]*(?:\.[a-z0-9][a-z0-9_]*)*"
_VAR_RE = re.compile(rf"^\s*{_NAME}(?:{_FILTER})*\s*$")
_OPERAND_RE = re.compile(rf'^(?:{_NAME}(?:{_FILTER})*|"[^"]*"|\d+)$')
_OPERATORS = {"and", "or", "not", "in", "==", "!=", "<", ">", "<=", ">="}
_FOR_RE = re.compile(rf"^for\s+[a-z_][a-z0-9_]*(?:\s*,\s*[a-z_][a-z0-9_]*)*\s+in\s+{_NAME}$")
_BARE_TAGS = {"else", "endif", "empty", "endfor"}

_MISSING = "\x00MISSING:%s\x00"
_MISSING_RE = re.compile("\x00MISSING:([^\x00]*)\x00")

# Plain text out: HTML escaping happens where the text is placed into HTML.
_ENGINE = Engine(string_if_invalid=_MISSING, autoescape=False)


class TemplateBodyError(ValueError):
    """The template body breaks the markup rules or uses unknown variables."""


@dataclass(frozen=True)
class Paragraph:
    text: str
    style: str = BODY

    @property
    def line(self) -> str:
        """The paragraph as one line of body text, markers included."""
        return _PREFIX[self.style] + self.text


def _check_block(content: str) -> str | None:
    words = content.split()
    if not words:
        return "空的 {% %} 标签"
    tag = words[0]
    if tag in _BARE_TAGS:
        return None if len(words) == 1 else f"{{% {tag} %}} 不带参数"
    if tag in {"if", "elif"}:
        bad = [w for w in words[1:] if w not in _OPERATORS and not _OPERAND_RE.match(w)]
        if len(words) == 1 or bad:
            return f"条件写法不被支持：{{% {content} %}}"
        return None
    if tag == "for":
        return None if _FOR_RE.match(" ".join(words)) else f"循环写法不被支持：{{% {content} %}}"
    return f"不允许使用标签 {{% {tag} %}}"


def check_body(body: str) -> list[str]:
    """Markup errors of a template body, in Chinese for the admin form; [] when fine."""
    errors = []
    for token in Lexer(body).tokenize():
        if token.token_type == TokenType.VAR and not _VAR_RE.match(token.contents):
            errors.append(f"变量写法不被支持：{{{{ {token.contents} }}}}")
        elif token.token_type == TokenType.BLOCK:
            error = _check_block(token.contents)
            if error:
                errors.append(error)
    if not errors:
        try:
            _ENGINE.from_string(body)
        except TemplateSyntaxError as exc:
            errors.append(f"模板语法错误：{exc}")
    return errors


def render_body(body: str, context: dict) -> str:
    """Render a template body to plain text.

    Raises TemplateBodyError for markup errors and for printed variables absent
    from `context`.
    """
    errors = check_body(body)
    if errors:
        raise TemplateBodyError("；".join(errors))
    text = _ENGINE.from_string(body).render(Context(context, autoescape=False))
    missing = sorted(set(_MISSING_RE.findall(text)))
    if missing:
        raise TemplateBodyError("模板使用了未提供的变量：" + "、".join(missing))
    return text


def parse_paragraphs(text: str) -> tuple[Paragraph, ...]:
    """Split rendered text into paragraphs: one per non-blank line."""
    paragraphs = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        style = BODY
        for marker, marked_style in _MARKERS.items():
            if line.startswith(marker):
                style, line = marked_style, line[len(marker) :].strip()
                break
        if line:
            paragraphs.append(Paragraph(line, style))
    return tuple(paragraphs)


def paragraphs_text(paragraphs: tuple[Paragraph, ...]) -> str:
    """The inverse of parse_paragraphs: what IssuedDocument.body_text stores."""
    return "\n".join(p.line for p in paragraphs)
