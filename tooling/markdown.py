"""Reading Markdown as the docs tests need it: fenced code blocks, the shell commands in a
block, the make targets a page names, and the paragraph that holds some words."""

from __future__ import annotations

import re
import shlex

FENCE = re.compile(r"^```(\w*)\n(.*?)^```", re.MULTILINE | re.DOTALL)


def fenced(markdown: str, language: str) -> list[str]:
    """The bodies of the page's ```<language> blocks, in order."""
    return [body for lang, body in FENCE.findall(markdown) if lang == language]


def shell_commands(block: str) -> list[str]:
    """The block's commands: continued lines joined, blank and comment-only lines left out."""
    joined = re.sub(r"\\\n\s*", "", block)
    return [line for line in joined.splitlines() if line.strip() and not line.lstrip().startswith("#")]


def make_targets_named(markdown: str) -> set[str]:
    """Targets of every `make ...` the page shows: bash commands and inline code (not its
    HTML comments, which readers do not see)."""
    markdown = re.sub(r"<!--.*?-->", "", markdown, flags=re.DOTALL)
    shown = [c for block in fenced(markdown, "bash") for c in shell_commands(block)]
    shown += re.findall(r"(?<!`)`(make [^`]+)`", markdown)
    targets = set()
    for command in shown:
        words = shlex.split(command, comments=True)
        if "make" in words:
            after = words[words.index("make") + 1 :]
            targets |= {word for word in after if "=" not in word and not word.startswith("-")}
    return targets


def paragraph(markdown: str, words: str) -> str:
    """The one paragraph holding `words` (across line breaks), on one line."""
    found = [p for p in markdown.split("\n\n") if words in " ".join(p.split())]
    if len(found) != 1:
        raise ValueError(f"expected one paragraph with {words!r}, found {len(found)}")
    return " ".join(found[0].split())
