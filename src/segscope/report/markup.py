"""The one place where text becomes HTML: escaping and a small element builder.

Every piece of a report is built with :func:`tag`: its children and attribute values are
escaped with :func:`html.escape` here, and nowhere else, unless they are already
:class:`Markup` (HTML this module built). A file name such as
``<img src=x onerror=alert(1)>.png`` therefore reaches the page as text.

Examples
--------
>>> tag("td", "<b>", class_="name", data_value=0.5)
'<td class="name" data-value="0.5">&lt;b&gt;</td>'
>>> tag("p", tag("b", "bold"), " & more")
'<p><b>bold</b> &amp; more</p>'
>>> tag("img", src="data:,", alt='say "hi"')
'<img src="data:," alt="say &quot;hi&quot;">'
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from typing import Any

from ..errors import ParameterError

__all__ = ["Markup", "escape", "join", "tag"]

_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9-]*$")
_CHECKED: set[str] = set()  # element names already checked
_ATTRS: dict[str, str] = {}  # keyword -> attribute name, already checked
_VOID = frozenset({"area", "br", "col", "hr", "img", "input", "link", "meta", "wbr"})
#: SVG shapes written as self-closing elements when they have no children.
_SVG_EMPTY = frozenset({"circle", "line", "path", "polygon", "polyline", "rect", "stop"})


class Markup(str):
    """Text that is already HTML (built by this module): never escaped again."""

    __slots__ = ()


def escape(value: Any) -> Markup:
    """``value`` as HTML text: ``&``, ``<``, ``>``, ``"`` and ``'`` escaped; Markup kept.

    Examples
    --------
    >>> escape("<script>") , escape(Markup("<br>"))
    ('&lt;script&gt;', '<br>')
    """
    if isinstance(value, Markup):
        return value
    return Markup(html.escape(str(value), quote=True))


def join(parts: Iterable[Any], sep: str = "") -> Markup:
    """Escape each part (Markup kept) and join them with ``sep`` (trusted markup).

    Examples
    --------
    >>> join(["a<", tag("br")])
    'a&lt;<br>'
    """
    return Markup(sep.join(escape(p) for p in _flatten(parts)))


def tag(name: str, /, *children: Any, **attrs: Any) -> Markup:
    """An HTML (or inline SVG) element.

    Parameters
    ----------
    name : str
        Element name, e.g. ``"td"`` (a name from segscope's code, never from the user).
    *children
        Text (escaped), :class:`Markup`, ``None`` (left out) or iterables of these.
    **attrs
        Attributes: a trailing ``_`` is dropped (``class_``), other ``_`` become ``-``
        (``data_value`` → ``data-value``). ``True`` writes the bare name, ``None`` and
        ``False`` leave the attribute out; any other value is escaped.

    Examples
    --------
    >>> tag("th", "IoU", aria_sort=None, scope="col")
    '<th scope="col">IoU</th>'
    >>> tag("rect", width=2, height=1)
    '<rect width="2" height="1"/>'
    """
    if name not in _CHECKED:
        if not _NAME.match(name):
            raise ParameterError(f"tag name {name!r} is not an element name")
        _CHECKED.add(name)
    parts = [name]
    for key, value in attrs.items():
        if value is None or value is False:
            continue
        attr = _ATTRS.get(key) or _attribute(key)
        parts.append(attr if value is True else f'{attr}="{escape(value)}"')
    opening = "<" + " ".join(parts)
    if all(isinstance(c, str) for c in children):  # the usual case: no list to flatten
        inner = "".join(c if isinstance(c, Markup) else html.escape(c) for c in children)
    else:
        inner = join(children)
    if name in _VOID:
        return Markup(opening + ">")
    if name in _SVG_EMPTY and not inner:
        return Markup(opening + "/>")
    return Markup(f"{opening}>{inner}</{name}>")


def _attribute(key: str) -> str:
    attr = (key[:-1] if key.endswith("_") else key).replace("_", "-")
    if not _NAME.match(attr):
        raise ParameterError(f"attribute name {key!r} is not an attribute name")
    _ATTRS[key] = attr
    return attr


def _flatten(parts: Iterable[Any]) -> Iterable[Any]:
    for part in parts:
        if part is None:
            continue
        if isinstance(part, (list, tuple)) or (
                not isinstance(part, str) and hasattr(part, "__iter__")
                and not hasattr(part, "shape")):
            yield from _flatten(part)
        else:
            yield part
