"""Faults and hostile input: killed builds, a full disk, concurrent builds, crashing templates, fuzzed content."""

from __future__ import annotations

import fcntl
import os
import resource
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.engine.build import BuildOptions, build
from tests.conftest import NOW, run_build, tree, write_files

REPO = Path(__file__).resolve().parent.parent
NOW_ARG = "2026-11-23T12:00:00+00:00"


def cli(root: Path, *args: str, **kwargs: object) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "generator", "build", "--root", str(root), "--now", NOW_ARG, *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=REPO, **kwargs)  # type: ignore[call-overload]


def big_site(make_site: Callable[..., Path], count: int = 400) -> Path:
    body = "\n\n".join(f"## Part {i}\n\nSome **text** with a [link](https://example.org/{i}).\n\n| a | b |\n|---|---|\n| 1 | 2 |"
                       for i in range(12))
    files = {f"content/announcements/item-{i:04}.en.md": f'---\ntitle: "Item {i}"\ndate: 2026-10-01\n---\n{body}\n'
             for i in range(count)}
    return make_site(files)


def leftovers(root: Path) -> list[Path]:
    return [p for p in root.iterdir() if p.name.startswith(".public.") and not p.name.endswith(".lock")]


@pytest.mark.parametrize("delay", [0.05, 0.3, 0.6, 0.9, 1.2, 1.6])
def test_killed_build_leaves_previous_output_intact(make_site: Callable[..., Path], delay: float) -> None:
    root = big_site(make_site)
    assert run_build(root, incremental=False).ok
    before = tree(root / "public")
    # change every page so that the killed build has real work in every stage
    for file in (root / "content/announcements").glob("*.md"):
        file.write_text(file.read_text().replace("Some **text**", "Other **text**"))
    # what the build would have made, had it not been killed (from a copy of the changed sources)
    finished = root.parent / f"{root.name}-finished"
    shutil.copytree(root, finished, ignore=shutil.ignore_patterns("public", ".*"))
    assert run_build(finished, incremental=False).ok
    expected = tree(finished / "public")
    assert expected != before
    process = cli(root, "--jobs", "2")
    time.sleep(delay)
    process.send_signal(signal.SIGKILL)
    process.communicate()
    # the previous site, or (killed after the swap, as builds get faster) the whole new one: never a mix
    after = tree(root / "public")
    assert after in (before, expected), [p for p in after if before.get(p) != after[p]][:5]
    # the next build recovers: it succeeds and cleans what the killed one left
    done = cli(root)
    _, err = done.communicate(timeout=120)
    assert done.returncode == 0, err.decode()
    assert b"Other <strong>text</strong>" in (root / "public/en/announcements/item-0001/index.html").read_bytes()
    assert leftovers(root) == []


def test_killed_during_the_swap_window_is_recovered(make_site: Callable[..., Path]) -> None:
    root = make_site()
    assert run_build(root).ok
    before = tree(root / "public")
    # simulate a crash between the two renames of the fallback swap: public/ moved aside, staging not yet in place
    os.rename(root / "public", root / ".public.old")
    (root / ".public.staging").mkdir()
    (root / ".public.staging" / "half.html").write_text("half-written")
    report = run_build(root, incremental=False)
    assert report.ok
    assert leftovers(root) == []
    assert tree(root / "public") == before


def _limit_file_size() -> None:
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))


def test_full_disk_gives_clear_error_and_keeps_output(make_site: Callable[..., Path]) -> None:
    root = big_site(make_site, 30)
    assert run_build(root).ok
    before = tree(root / "public")
    (root / "content/announcements/item-0001.en.md").write_text('---\ntitle: "Changed"\ndate: 2026-10-01\n---\n' + "x" * 9000)
    process = cli(root, "--jobs", "1", preexec_fn=_limit_file_size)
    _, err = process.communicate(timeout=120)
    assert process.returncode == 1
    assert b"cannot write the site" in err and b"previous site was left as it was" in err
    assert b"Traceback" not in err
    assert tree(root / "public") == before
    assert leftovers(root) == []


def test_second_concurrent_build_waits_then_refuses(make_site: Callable[..., Path]) -> None:
    root = make_site()
    assert run_build(root).ok
    lock = os.open(root / ".public.lock", os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(lock, fcntl.LOCK_EX)
        process = cli(root, "--lock-wait", "1")
        _, err = process.communicate(timeout=60)
        assert process.returncode == 1
        assert b"another build" in err and b"still running" in err
    finally:
        os.close(lock)


def test_lock_of_a_killed_build_is_recovered(make_site: Callable[..., Path]) -> None:
    root = make_site()
    holder = subprocess.Popen([sys.executable, "-c", (
        "import fcntl, os, time, sys; fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT); "
        "fcntl.flock(fd, fcntl.LOCK_EX); print('locked', flush=True); time.sleep(60)"), str(root / ".public.lock")],
        stdout=subprocess.PIPE)
    assert holder.stdout is not None and holder.stdout.readline().strip() == b"locked"
    holder.kill()
    holder.communicate()
    process = cli(root, "--lock-wait", "5")
    _, err = process.communicate(timeout=60)
    assert process.returncode == 0, err.decode()


def test_builds_started_together_never_interleave(make_site: Callable[..., Path]) -> None:
    root = big_site(make_site, 120)
    first, second = cli(root, "--jobs", "1"), cli(root, "--jobs", "1")
    first.communicate(timeout=120)
    second.communicate(timeout=120)
    assert first.returncode == 0 and second.returncode == 0
    clean = run_build(root, out=root.parent / "clean", incremental=False)
    assert clean.ok
    assert tree(root / "public") == tree(root.parent / "clean")


@pytest.mark.parametrize("jobs", [1, 2])
def test_template_crash_is_one_clear_error(make_site: Callable[..., Path], jobs: int) -> None:
    files = {f"content/announcements/n-{i:02}.en.md": f'---\ntitle: "N{i}"\ndate: 2026-10-01\n---\nx\n' for i in range(40)}
    files["templates/item.html"] = '{% extends "base.html" %}\n{% block content %}\n<h1>{{ page.titel }}</h1>\n{% endblock %}\n'
    root = make_site(files)
    report = run_build(root, jobs=jobs)
    assert not report.ok
    (problem,) = report.errors
    assert problem.location.path.endswith("templates/item.html") and problem.location.line == 3
    assert "titel" in problem.message


def test_output_is_identical_across_processes_hash_seeds_and_jobs(make_site: Callable[..., Path]) -> None:
    root = big_site(make_site, 60)
    outs = []
    for seed, jobs in (("1", "1"), ("2", "2"), ("random", "2")):
        out = root.parent / f"out-{seed}"
        process = cli(root, "--out", str(out), "--jobs", jobs, env={**os.environ, "PYTHONHASHSEED": seed})
        process.communicate(timeout=120)
        assert process.returncode == 0
        outs.append(tree(out))
    assert outs[0] == outs[1] == outs[2]


HOSTILE_MARKDOWN = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "<svg onload=alert(1)>",
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    "<details open ontoggle=alert(1)>",
    '<meta http-equiv="refresh" content="0;url=https://evil.example">',
    "<style>body{display:none}</style>",
    "[a](javascript:alert(1))",
    "[a](JaVaScRiPt:alert(1))",
    "[a](java\tscript:alert(1))",
    "[a](&#106;avascript:alert(1))",
    "[a](vbscript:msgbox(1))",
    "[a](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![i](javascript:alert(1))",
    "![i](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    "[ref]\n\n[ref]: javascript:alert(1)",
    "<javascript:alert(1)>",
]
DANGEROUS_TAGS = {"script", "iframe", "style", "meta", "object", "embed", "base", "form", "svg", "math"}
DANGEROUS_SCHEMES = ("javascript:", "vbscript:", "data:text/html", "data:image/svg")


class _ActiveParts(HTMLParser):
    """Tags, event-handler attributes and URL schemes a browser would act on (escaped text is inert)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in DANGEROUS_TAGS:
            self.found.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"{tag}[{name}]")
            cleaned = "".join(ch for ch in (value or "") if ch > " ").lower()
            if name in ("href", "src", "action", "formaction", "xlink:href") and cleaned.startswith(DANGEROUS_SCHEMES):
                self.found.append(f"{tag}[{name}={value}]")


def _executable_bits(html: str) -> list[str]:
    parser = _ActiveParts()
    parser.feed(html)
    parser.close()
    return parser.found


def test_the_active_parts_check_can_fail() -> None:
    assert _executable_bits('<img src=x onerror="alert(1)">') == ["img[onerror]"]
    assert _executable_bits('<a href=" jav&#x09;ascript:x">a</a>') == ["a[href= jav\tascript:x]"]
    assert _executable_bits("&lt;script&gt;alert(1)&lt;/script&gt;") == []


@pytest.mark.parametrize("allow_html", [False, True])
def test_hostile_markdown_is_inert(make_site: Callable[..., Path], allow_html: bool) -> None:
    files: dict[str, str | bytes] = {
        f"content/announcements/evil-{i:02}.en.md": f'---\ntitle: "Evil {i}"\ndate: 2026-10-01\n---\n{text}\n'
        for i, text in enumerate(HOSTILE_MARKDOWN)
    }
    if allow_html:
        files["content/announcements/kept.en.md"] = ('---\ntitle: "Kept"\ndate: 2026-10-01\n---\n'
                                                     '<p lang="ar" dir="rtl" class="alert" id="q1">نص</p>\n')
    root = make_site(files)
    if allow_html:
        site_yml = root / "site.yml"
        site_yml.write_text(site_yml.read_text() + "markdown: {allow_html: true}\n")
    report = run_build(root)
    assert report.ok, report.errors
    for i in range(len(HOSTILE_MARKDOWN)):
        html = (root / f"public/en/announcements/evil-{i:02}/index.html").read_text()
        body = html.split('<div class="prose">', 1)[1].split("</div>", 1)[0]
        assert _executable_bits(body) == [], (HOSTILE_MARKDOWN[i], body)
    if allow_html:
        kept = (root / "public/en/announcements/kept/index.html").read_text()
        assert '<p lang="ar" dir="rtl" id="q1">نص</p>' in kept  # its language and id kept; a class dropped


HOSTILE_FRONT_MATTER = {
    "python tag": ('---\ntitle: !!python/object/apply:os.system ["echo pwned"]\ndate: 2026-10-01\n---\n', "not allowed"),
    "billion laughs": ("---\na: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
                       "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\ntitle: *c\n---\n", "aliases"),
    "deep nesting": ("---\ntitle: " + "[" * 60 + "]" * 60 + "\n---\n", "nested"),
    "duplicate keys": ('---\ntitle: "a"\ntitle: "b"\ndate: 2026-10-01\n---\n', "duplicate key"),
    "bidi spoofing": ('---\ntitle: "Visa \u202egnp.exe"\ndate: 2026-10-01\n---\n', "text-direction control"),
}


@pytest.mark.parametrize("case", sorted(HOSTILE_FRONT_MATTER))
def test_hostile_front_matter_is_a_located_error(make_site: Callable[..., Path], case: str) -> None:
    text, phrase = HOSTILE_FRONT_MATTER[case]
    root = make_site({"content/announcements/bad.en.md": text})
    started = time.perf_counter()
    report = run_build(root)
    assert time.perf_counter() - started < 30  # no exponential blow-up (a generous bound, not a benchmark)
    assert not report.ok
    messages = " ".join(p.message for p in report.errors)
    assert phrase in messages
    assert all(p.location.path == "content/announcements/bad.en.md" and p.location.line for p in report.errors)


def test_bom_crlf_and_html_in_titles_are_handled(make_site: Callable[..., Path]) -> None:
    text = '\ufeff---\r\ntitle: "A <b>bold</b> </script><script>alert(1)</script> title"\r\ndate: 2026-10-01\r\n---\r\nBody\r\n'
    root = make_site({"content/announcements/windows.en.md": text.encode("utf-8")})
    report = run_build(root)
    assert report.ok, report.errors
    html = (root / "public/en/announcements/windows/index.html").read_text()
    assert "&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>alert(1)" not in html


def test_symlink_outside_content_is_refused(make_site: Callable[..., Path], tmp_path: Path) -> None:
    secret = tmp_path / "secret.en.md"
    secret.write_text('---\ntitle: "Secret"\ndate: 2026-10-01\n---\nsecret\n')
    root = make_site()
    (root / "content/announcements/leak.en.md").symlink_to(secret)
    report = run_build(root)
    assert not report.ok
    assert any("outside content" in p.message for p in report.errors)


front_matter_values = st.one_of(
    st.text(max_size=40), st.integers(), st.booleans(), st.none(),
    st.lists(st.text(max_size=10), max_size=3), st.sampled_from(["2026-10-01", "9:30", "no", "2026-02-30", "&a x"]),
)
keys = st.sampled_from(["title", "date", "summary", "tags", "image", "draft", "alert", "kind", "expires_at", "bogus"])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(fields=st.dictionaries(keys, front_matter_values, max_size=6),
       body=st.text(alphabet=st.sampled_from(list("ab <>&\"'`*_[]()#:/\n!|-=\u202e\u0627\u05d0😀")), max_size=200))
def test_fuzzed_content_builds_safely_or_fails_with_a_location(tmp_path_factory: pytest.TempPathFactory,
                                                                fields: dict[str, object], body: str) -> None:
    import yaml

    root = tmp_path_factory.mktemp("fuzz")
    front = yaml.safe_dump(fields, allow_unicode=True) if fields else ""
    write_files(root, {
        "site.yml": 'title: "T"\nbase_url: "https://e.org/"\nlanguages: [{code: en}]\n',
        "content/announcements/fuzz.en.md": f"---\n{front}---\n{body}\n",
    })
    report = build(BuildOptions(root, root / "public", NOW, incremental=False))
    if report.ok:
        page = root / "public/en/announcements/fuzz/index.html"
        if page.exists():
            html = page.read_text()
            assert "<script>" not in html.lower() and "javascript:" not in html.lower()
    else:
        assert report.errors
        assert all(p.location.path for p in report.errors)


def test_a_template_cannot_reach_python_internals_to_run_a_command(make_site: Callable[..., Path],
                                                                  tmp_path: Path) -> None:
    """A theme's or a mission's templates/ run in Jinja's sandbox: the classic escape through a global's
    __globals__ is refused as a located template error, and the command never runs."""
    marker = tmp_path / "ran"
    root = make_site({"templates/404.html": (
        '{% set x = cycler.__init__.__globals__.os.system("touch ' + str(marker) + '") %}{{ x }}\n')})
    report = run_build(root)
    assert not report.ok and not marker.exists()
    first = report.errors[0]
    assert first.location.path.endswith("404.html") and "unsafe" in first.message.lower()


def test_the_sandbox_s_remembered_verdicts_are_per_type_not_per_name(tmp_path: Path) -> None:
    """The environment remembers whether an attribute is safe per (type, name): ``mro`` read on an object that
    has one is allowed, and that does not open ``mro`` of a class (Python internals) afterwards."""
    from jinja2.exceptions import SecurityError

    from generator.outputs.templates import make_environment
    from generator.sources.theme import ThemeChain

    env = make_environment(tmp_path, ThemeChain((("t", tmp_path),)))

    class Plain:
        mro = "an ordinary field"

    assert env.from_string("{{ obj.mro }}").render(obj=Plain()) == "an ordinary field"
    with pytest.raises(SecurityError):
        env.from_string("{{ cls.mro() }}").render(cls=Plain)
    assert env.from_string("{{ obj.mro }}").render(obj=Plain()) == "an ordinary field"
