#!/usr/bin/env python3
"""Time a preview server from a save to the served page that shows it: legation serve against hugo server.

    python benchmarks/serve_edit.py --legation SITE [--hugo SITE --hugo-bin PATH] [--repeat 3]

Each server is started as a user starts it (``legation serve``; ``hugo server``, which renders to memory), on a
free port, and waits until it answers. Then, for each kind of change (one item's body, the same item's title,
the template that draws item pages), --repeat times: the change is written, and the clock runs from the moment
the file is closed until a GET of the item's page returns a page that holds the change (polled every 20 ms).
Before the first change and after each (and after each is undone), the server is left to finish what it does
in the background (legation's after-work: pending pages, social posts, search indexes) until its processes used
less than 5 % of a core for a whole second: each time is an idle server's answer to one save, for both tools.
The first item of announcements in English is the one edited, in both sites; every change is undone at the
end. One server runs at a time. Prints one JSON object: per tool and change, the seconds of each repetition,
and the server's peak resident memory in MiB (VmHWM of its process, its workers not included).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
NOW = "2026-11-23T12:00:00+00:00"


@dataclass(frozen=True)
class Change:
    name: str
    path: Path  # the file written
    make: Callable[[str, str], str]  # (original text, token) -> the text that holds the token
    restore: Callable[[], None]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def fetch(url: str) -> bytes | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return bytes(response.read())
    except (urllib.error.URLError, http.client.HTTPException, ConnectionError, TimeoutError, OSError):
        return None  # a server cut off mid-answer while it rebuilds (Hugo's does): asked again


def wait_until(url: str, holds: Callable[[bytes], bool], limit: float) -> float:
    """Seconds until GET ``url`` returns a body for which ``holds`` is true (polled every 20 ms: often enough to
    measure, seldom enough not to take the preview's one Python process from its build)."""
    start = time.perf_counter()
    while time.perf_counter() - start < limit:
        body = fetch(url)
        if body is not None and holds(body):
            return time.perf_counter() - start
        time.sleep(0.02)
    raise SystemExit(f"{url} did not show the change within {limit:.0f} s")


def holding(wanted: bytes) -> Callable[[bytes], bool]:
    return lambda body: wanted in body


def peak_rss_mib(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def group_ticks(group: int) -> int:
    """CPU time (user + system, in clock ticks) of the live processes of the process group ``group``."""
    total = 0
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            fields = Path(entry.path, "stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[2]) == group:  # after the name: state, ppid, pgrp, …, utime (14th field), stime (15th)
            total += int(fields[11]) + int(fields[12])
    return total


def settle(group: int, limit: float) -> float:
    """Wait until the processes of ``group`` used less than 5 % of a core for a whole second, at most ``limit``
    seconds; the seconds waited."""
    start, hz = time.monotonic(), os.sysconf("SC_CLK_TCK")
    before = group_ticks(group)
    while time.monotonic() - start < limit:
        time.sleep(1.0)
        now = group_ticks(group)
        if now - before < 0.05 * hz:
            break
        before = now
    return time.monotonic() - start


def measure(command: list[str], cwd: Path, url: str, changes: list[Change], repeat: int,
            env: dict[str, str]) -> dict[str, object]:
    server = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                              start_new_session=True)
    try:
        wait_until(url, lambda body: True, 600)
        settle(server.pid, 900)  # the first build's after-work (social posts, search indexes) is done
        result: dict[str, object] = {}
        for change in changes:
            original = change.path.read_text(encoding="utf-8") if change.path.exists() else ""
            times = []
            for number in range(repeat):
                token = f"edit{number}x{time.time_ns() % 1000000}"
                text = change.make(original, token)
                with change.path.open("w", encoding="utf-8") as handle:
                    handle.write(text)
                times.append(wait_until(url, holding(token.encode()), 120))
                time.sleep(1.5)  # as an officer reads before the next save
                settle(server.pid, 300)
            change.restore()
            time.sleep(1.5)
            settle(server.pid, 300)
            result[change.name] = times
        result["rss_mib"] = peak_rss_mib(server.pid)
        return result
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


def item_changes(item: Path, template: Path, template_from: Path | None, template_make: Callable[[str, str], str]
                 ) -> list[Change]:
    original = item.read_text(encoding="utf-8")
    template_original = template.read_text(encoding="utf-8") if template.exists() else None

    def restore_item() -> None:
        item.write_text(original, encoding="utf-8")

    def restore_template() -> None:
        if template_original is None:
            template.unlink(missing_ok=True)
            if template.parent.is_dir() and not any(template.parent.iterdir()):
                template.parent.rmdir()
        else:
            template.write_text(template_original, encoding="utf-8")

    def body(text: str, token: str) -> str:
        return text.rstrip("\n") + f"\n\nA new sentence {token}.\n"

    def title(text: str, token: str) -> str:
        return re.sub(r'^title: "', f'title: "{token} ', text, count=1, flags=re.M)

    def layout(text: str, token: str) -> str:
        base = template_from.read_text(encoding="utf-8") if template_from is not None else text
        template.parent.mkdir(parents=True, exist_ok=True)
        return template_make(base, token)

    return [Change("edit one body", item, body, restore_item), Change("edit one title", item, title, restore_item),
            Change("edit a template", template, layout, restore_template)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--legation", type=Path, required=True)
    parser.add_argument("--hugo", type=Path)
    parser.add_argument("--hugo-bin")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    results: dict[str, object] = {}

    site = args.legation.resolve()
    item = sorted((site / "content" / "announcements").glob("*.en.md"))[0]
    port = free_port()
    url = f"http://127.0.0.1:{port}/en/announcements/{item.name[:-len('.en.md')]}/"
    env = dict(os.environ, SOURCE_DATE_EPOCH=str(int(datetime.fromisoformat(NOW).timestamp())),
               LEGATION_MARKDOWN="python")
    legation = [sys.executable, "-m", "generator", "serve", "--root", str(site), "--port", str(port)]
    results["legation"] = measure(legation, site, url, item_changes(
        item, site / "templates" / "item.html", REPO / "themes" / "default" / "templates" / "item.html",
        lambda text, token: text.replace("<article", f'<article data-edit="{token}"', 1)), args.repeat, env)

    if args.hugo is not None and args.hugo_bin:
        hugo_site = args.hugo.resolve()
        hugo_item = sorted((hugo_site / "content" / "announcements").glob("announcement-*.en.md"))[0]
        port = free_port()
        slug = hugo_item.name[:-len(".en.md")]
        hugo_url = f"http://127.0.0.1:{port}/announcements/{slug}/"
        layout = hugo_site / "layouts" / "page.html"
        hugo = [args.hugo_bin, "server", "--port", str(port), "--bind", "127.0.0.1",
                "--cacheDir", str(hugo_site.parent / "hugo-server-cache")]
        results["hugo"] = measure(hugo, hugo_site, hugo_url, item_changes(
            hugo_item, layout, None, lambda text, token: text.replace("<article", f'<article data-edit="{token}"', 1)),
            args.repeat, dict(os.environ))
        shutil.rmtree(hugo_site.parent / "hugo-server-cache", ignore_errors=True)
    print(json.dumps(results))


if __name__ == "__main__":
    main()
