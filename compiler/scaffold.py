"""polc new: a first .pol file from a policy's text, every 款 quoted and marked 待编码.

The text is read as policies are usually laid out: section headings (一、…),
chapter headings (一)… or (一)…), numbered articles (1. …) whose sentences are
the 款, and a closing section (…附则) whose paragraphs become 附则 articles. The
result checks with warnings only: every sentence is quoted, so coverage is
complete, and every 款 is open until its rule is written.
"""

from __future__ import annotations

import re

import attrs

_CN_NUMBER = "一二三四五六七八九十"
SECTION = re.compile(rf"^[{_CN_NUMBER}]+、\S")
CHAPTER = re.compile(rf"^(?:[(（][{_CN_NUMBER}]+[)）]?|[{_CN_NUMBER}]+[)）])\S")
ARTICLE = re.compile(r"^(\d+)\s*[.、．]\s*(\S.*)$")
SENTENCE_END = "。！？!?"
MAX_TITLE = 20


@attrs.define
class Article:
    """An article found in the text: its number and the sentences that become its 款."""
    number: str  # "8" or "附则3"
    sentences: list[str] = attrs.Factory(list)


@attrs.define
class Chapter:
    """A heading found in the text and the articles under it; ``closing`` marks the 附则 section."""
    heading: str
    closing: bool
    articles: list[Article] = attrs.Factory(list)


def sentences(paragraph: str) -> list[str]:
    """The sentences of a paragraph, each with its closing mark, as written.

    A 」 cannot stand inside a 「」 quote, so a sentence is also cut there (the mark itself is
    punctuation and counts neither way for coverage).
    """
    found = re.findall(rf"[^{SENTENCE_END}]+[{SENTENCE_END}]*", paragraph)
    out = []
    for sentence in found:
        out.extend(part.strip() for part in sentence.split("」") if part.strip())
    return out


def _title(paragraph: str) -> str:
    first = sentences(paragraph)[0] if sentences(paragraph) else paragraph
    title = first.rstrip(SENTENCE_END).strip()
    title = re.split(r"[,，;；:：]", title)[0]
    return title[:MAX_TITLE] if len(title) > MAX_TITLE else title


def _policy_name(lines: list[str]) -> str:
    for line in lines[:10]:
        match = re.search(r"《([^》」]+)》", line)
        if match:
            return re.sub(r"\s+", "", match.group(1))
    return next((line.replace("」", "") for line in lines if line), "新政策")


def _start(lines: list[str]) -> int:
    """The first line of the operative text: the headings just above the first numbered article."""
    first = next((i for i, line in enumerate(lines) if ARTICLE.match(line)), None)
    if first is None:
        return next((i for i, line in enumerate(lines) if SECTION.match(line)), 0)
    start = first
    while start > 0 and (not lines[start - 1] or SECTION.match(lines[start - 1]) or CHAPTER.match(lines[start - 1])):
        start -= 1
    while start < first and not lines[start]:
        start += 1
    return start


def split(text: str) -> tuple[str, str, list[Chapter]]:
    """Policy name, the heading the operative text starts from, and its chapters and articles."""
    lines = [line.strip().replace("\u3000", " ").strip() for line in text.split("\n")]
    name = _policy_name(lines)
    start = _start(lines)
    chapters: list[Chapter] = [Chapter("", False)]
    article: Article | None = None
    closing_count = 0
    last_number = 0
    for line in lines[start:]:
        if not line:
            continue
        numbered = ARTICLE.match(line)
        if SECTION.match(line) or CHAPTER.match(line):
            closing = "附则" in line
            chapters.append(Chapter(line.replace("」", ""), closing))
            article = None
        elif numbered and not chapters[-1].closing:
            last_number = int(numbered.group(1))
            article = Article(str(last_number), sentences(numbered.group(2)))
            chapters[-1].articles.append(article)
        elif chapters[-1].closing:
            closing_count += 1
            body = numbered.group(2) if numbered else line
            chapters[-1].articles.append(Article(f"附则{closing_count}", sentences(body)))
        elif article is not None:
            article.sentences.extend(sentences(line))  # a paragraph continuing the article
        else:  # text before any numbered article in a chapter: an article of its own
            last_number += 1
            article = Article(str(last_number), sentences(line))
            chapters[-1].articles.append(article)
    heading = lines[start] if start < len(lines) else ""
    return name, heading, [c for c in chapters if c.heading or c.articles]


def scaffold(text: str, source_name: str) -> str:
    """The text of a .pol file that quotes every sentence of ``text``, every 款 marked 待编码."""
    name, start, chapters = split(text)
    out = [f"# 由 polc new 从「{source_name}」生成：每一款只照抄了原文，标为“待编码”。",
           "# 逐款写出条件与“给予”后删去“待编码”；polc check 列出尚待编码的款。",
           "",
           f"政策「{name}」",
           f"原文文件「{source_name}」" + (f"自「{start}」起" if start and SECTION.match(start) else ""),
           ""]
    for chapter in chapters:
        if chapter.heading and chapter.heading != start:
            out.append(f"附则「{chapter.heading}」" if chapter.closing else f"章「{chapter.heading}」")
            out.append("")
        for article in chapter.articles:
            if not article.sentences:
                continue
            head = (f"附则第{article.number[2:]}条" if article.number.startswith("附则")
                    else f"第{article.number}条")
            first, rest = article.sentences[0], article.sentences[1:]
            out.append(f"{head}「{_title(first)}」")
            out.append(f"  原文「{first}」")
            for index, sentence in enumerate(rest or [first], start=1):
                out.append(f"  款「第{index}款」")
                out.append(f"    原文「{sentence}」")
                out.append("    待编码")
            out.append("")
    return "\n".join(out).rstrip("\n") + "\n"
