"""The README and the pages under docs/: every relative link and image resolves to a file of the
repository (and an anchor to a heading of that file, by GitHub's rules), the README stays short,
and its set-up commands are the ones CI runs. External links are not fetched."""
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from markdown_it import MarkdownIt

from conftest import ROOT

PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
README_MAX_LINES = 200  # the "read in five minutes"

_parser = MarkdownIt("commonmark").enable("table")


def _tokens(text):
    """Every token, inline children included, so links inside tables and lists are seen."""
    for token in _parser.parse(text):
        yield token
        yield from token.children or ()


def link_targets(text):
    """The href of every link and the src of every image; code spans and blocks hold none."""
    for token in _tokens(text):
        if token.type == "link_open":
            yield token.attrs["href"]
        elif token.type == "image":
            yield token.attrs["src"]


def github_anchor(heading_text):
    # github-slugger: lower-case, drop punctuation except hyphens and underscores, each space a hyphen
    return re.sub(r"[^\w\- ]", "", heading_text.strip().lower()).replace(" ", "-")


def heading_anchors(text):
    """The anchors GitHub gives a file's headings; a repeated one gets -1, -2, ... appended."""
    anchors, seen = set(), {}
    tokens = _parser.parse(text)
    for opening, inline in zip(tokens, tokens[1:]):
        if opening.type != "heading_open":
            continue
        words = "".join(child.content for child in inline.children
                        if child.type in ("text", "code_inline"))
        anchor = github_anchor(words)
        count = seen.get(anchor, 0)
        seen[anchor] = count + 1
        anchors.add(anchor if count == 0 else f"{anchor}-{count}")
    return anchors


def broken_links(page: Path, root: Path = ROOT):
    """What is wrong with each relative link of a Markdown page, one string a link."""
    problems = []
    for target in link_targets(page.read_text(encoding="utf-8")):
        parts = urlsplit(target)
        if parts.scheme or parts.netloc:
            continue  # external: not fetched
        path = (page.parent / unquote(parts.path)).resolve() if parts.path else page.resolve()
        if not path.is_relative_to(root.resolve()):
            problems.append(f"{target}: outside the repository")
        elif not path.exists():
            problems.append(f"{target}: no such file")
        elif parts.fragment and path.suffix == ".md":
            if unquote(parts.fragment) not in heading_anchors(path.read_text(encoding="utf-8")):
                problems.append(f"{target}: no heading with that anchor in {path.name}")
    return problems


@pytest.mark.parametrize("page", PAGES, ids=lambda page: str(page.relative_to(ROOT)))
def test_every_relative_link_resolves(page):
    assert broken_links(page) == []


def test_the_checker_finds_broken_links_and_passes_good_ones(tmp_path):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "page.md").write_text(
        "# A page\n\n## Flowers 17: `AlexNet` and VGGNet\n\n## Notes\n\n## Notes\n", encoding="utf-8")
    readme = tmp_path / "README.md"
    readme.write_text(
        "# Title\n\n## Set up and test\n\n"
        "[good](docs/page.md) [anchor](docs/page.md#flowers-17-alexnet-and-vggnet) "
        "[repeated](docs/page.md#notes-1) [here](#set-up-and-test) [web](https://example.org/x.md)\n\n"
        "| a | b |\n|---|---|\n| [in a table](docs/missing.md) | ![picture](docs/none.png) |\n\n"
        "[bad anchor](docs/page.md#nowhere) [up and out](../elsewhere.md) [gone](#no-such-heading)\n\n"
        "`[in code](docs/missing.md)`\n\n```\n[in a block](docs/missing.md)\n```\n",
        encoding="utf-8")
    (tmp_path.parent / "elsewhere.md").write_text("# Outside\n", encoding="utf-8")

    assert broken_links(readme, root=tmp_path) == [
        "docs/missing.md: no such file",
        "docs/none.png: no such file",
        "docs/page.md#nowhere: no heading with that anchor in page.md",
        "../elsewhere.md: outside the repository",
        "#no-such-heading: no heading with that anchor in README.md",
    ]


def test_readme_reads_in_five_minutes():
    lines = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    assert len(lines) <= README_MAX_LINES, (
        f"README.md has {len(lines)} lines; move detail to a page under docs/ and link it")


def test_ci_runs_the_readme_set_up_commands():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Set up and test", 1)[1].split("\n## ", 1)[0]
    commands = re.search(r"```bash\n(.*?)```", section, re.DOTALL).group(1).splitlines()
    ci_lines = [line.strip() for line in (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()]
    assert len(commands) == 2, "the README's set-up is two commands: install, then test"
    for command in commands:
        # CI calls pip through the interpreter it tests with; the command is otherwise the same
        ran = "python -m " + command if command.startswith("pip ") else command
        assert any(line == ran or line.startswith(ran + " ||") for line in ci_lines), (
            f"{ran!r} from the README is not what .ci/run runs")
