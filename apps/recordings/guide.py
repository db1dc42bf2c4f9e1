"""Turn a Markdown document, such as the recording format, into a page."""

from dataclasses import dataclass

from markdown_it import MarkdownIt

# Raw HTML in the source comes out as text, never as markup; markdown-it
# also drops links to javascript: and other unsafe schemes.
_MARKDOWN = MarkdownIt("commonmark", {"html": False}).enable("table")


@dataclass(frozen=True)
class Page:
    title: str
    body: str


def page_from_markdown(text):
    """Return ``text`` as HTML, its leading level-1 heading taken as the title.

    The body is safe to mark safe: every character of the source is escaped.
    """
    tokens = _MARKDOWN.parse(text)
    title = ""
    if tokens and tokens[0].type == "heading_open" and tokens[0].tag == "h1":
        title = _plain(tokens[1])
        tokens = tokens[3:]
    body = _MARKDOWN.renderer.render(tokens, _MARKDOWN.options, {})
    return Page(title=title, body=body)


def _plain(inline):
    return "".join(
        child.content
        for child in inline.children
        if child.type in ("text", "code_inline")
    )
