"""`legation deploy` (generator/deploy.py): only what changed, in a safe order, to real servers that the tests
start on 127.0.0.1 with `rclone serve` (SFTP, S3, WebDAV) and to a folder."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from generator.commands.cli import main
from generator.commands.deploy import CACHE_FOREVER, CACHE_PAGES, MARKER, plan, rclone_binary, remote_spec
from generator.core.model import DeployTarget
from tests.conftest import run_build, tree

REPO = Path(__file__).resolve().parent.parent


def cli(root: Path, *args: str) -> Result:
    return CliRunner().invoke(main, [*args, "--root", str(root)], catch_exceptions=False)


def test_the_plan_sends_assets_then_data_then_pages_then_the_manifest_and_deletes_last() -> None:
    local = {"static/style.css": "a", "static/app.0123abcd.js": "b", "en/index.html": "c", "en/feed.xml": "d",
             "same.html": "e", MARKER: "m"}
    remote = {"same.html": "e", "old.html": "x", "static/style.css": "old", MARKER: "old"}
    steps = plan(local, remote).steps
    assert [(s.action, s.label, s.paths) for s in steps] == [  # one step per cache policy and content type
        ("upload", "assets", ("static/app.0123abcd.js",)),
        ("upload", "assets", ("static/style.css",)),
        ("upload", "feeds, calendars and data", ("en/feed.xml",)),
        ("upload", "pages", ("en/index.html",)),
        ("upload", "manifest", (MARKER,)),
        ("delete", "files no longer in the site", ("old.html",)),
    ]
    assert steps[0].cache_control == CACHE_FOREVER and steps[3].cache_control == CACHE_PAGES
    assert plan(local, remote).unchanged == 1


def test_targets_become_rclone_remotes_without_secrets(tmp_path: Path) -> None:
    assert remote_spec(DeployTarget("p", "sftp://deploy@web.example.org:2222/var/www"), tmp_path) == (
        ':sftp,host="web.example.org",user="deploy",port=2222:/var/www', "sftp")
    assert remote_spec(DeployTarget("p", "s3://bucket/site", endpoint="https://s3.example.org"), tmp_path) == (
        ':s3,provider="Other",endpoint="https://s3.example.org":bucket/site', "s3")
    assert remote_spec(DeployTarget("p", "webdav+https://u@dav.example.org/www"), tmp_path) == (
        ':webdav,url="https://dav.example.org",vendor="other",user="u":www', "webdav")
    assert remote_spec(DeployTarget("p", "rclone:prod:site"), tmp_path) == ("prod:site", "config")
    assert remote_spec(DeployTarget("p", "./live"), tmp_path) == (str(tmp_path / "live"), "local")


@pytest.mark.parametrize(("url", "expected"), [
    ("sftp://deploy:hunter2@web.example.org/www", "the address holds a password"),
    ("ftp://web.example.org/www", "is not a deploy target this version knows"),
    ("s3:///site", "names no bucket"),
])
def test_a_bad_target_in_site_yml_is_an_error_at_its_line(make_site: Callable[..., Path], url: str,
                                                          expected: str) -> None:
    root = make_site()
    site = root / "site.yml"
    site.write_text(site.read_text(encoding="utf-8") + f'deploy:\n  targets:\n    production: "{url}"\n',
                    encoding="utf-8")
    result = cli(root, "deploy", "--dry-run")
    assert result.exit_code == 1
    line = site.read_text(encoding="utf-8").splitlines().index(f'    production: "{url}"') + 1
    assert result.output.startswith(f"site.yml:{line}:"), result.output
    assert expected in result.output and "hunter2" not in result.output.split("\n", 1)[1]


@pytest.fixture
def site(tmp_path: Path) -> Path:
    root = tmp_path / "site"
    root.mkdir()
    shutil.copy(REPO / "site.yml", root / "site.yml")
    shutil.copytree(REPO / "content", root / "content")
    assert run_build(root, root / "public").ok
    return root


def test_a_folder_gets_what_changed_and_loses_what_is_gone(site: Path, tmp_path: Path) -> None:
    live = tmp_path / "live"
    first = cli(site, "deploy", "--to", str(live))
    assert first.exit_code == 0, first.output
    assert tree(live) == tree(site / "public")
    source = site / "content/announcements/scholarships-2027.en.md"
    source.write_text(source.read_text(encoding="utf-8").replace("graduates", "young graduates"), encoding="utf-8")
    (site / "content/events/poetry-evening.uz.md").unlink()
    assert run_build(site, site / "public").ok
    dry = cli(site, "deploy", "--to", str(live), "--dry-run")
    assert dry.exit_code == 0 and "  - uz/events/poetry-evening/index.html" in dry.output
    assert "  + en/announcements/scholarships-2027/index.html" in dry.output
    assert tree(live) != tree(site / "public")  # a dry run sends nothing
    second = cli(site, "deploy", "--to", str(live))
    assert second.exit_code == 0, second.output
    assert tree(live) == tree(site / "public")
    uploaded = int(second.output.rsplit(": ", 1)[1].split(" files uploaded")[0])
    assert 0 < uploaded < len(tree(live)) / 4, second.output  # what changed, not the site


def test_a_deploy_that_would_delete_much_stops_unless_forced(site: Path, tmp_path: Path) -> None:
    live = tmp_path / "live"
    (site / "site.yml").write_text((site / "site.yml").read_text(encoding="utf-8") + "deploy: {max_delete: 5}\n",
                                   encoding="utf-8")
    assert cli(site, "deploy", "--to", str(live)).exit_code == 0
    for path in (site / "content/announcements").glob("*.uz.md"):
        path.unlink()
    assert run_build(site, site / "public").ok
    before = tree(live)
    result = cli(site, "deploy", "--to", str(live))
    assert result.exit_code == 1 and "this deploy would delete" in result.output and "--force" in result.output
    assert tree(live) == before
    assert cli(site, "deploy", "--to", str(live), "--force").exit_code == 0
    assert tree(live) == tree(site / "public")


def test_a_deploy_never_starts_from_a_partial_build(site: Path, tmp_path: Path) -> None:
    (site / "public/en/index.html").unlink()
    result = cli(site, "deploy", "--to", str(tmp_path / "live"))
    assert result.exit_code == 1 and "is not a complete build" in result.output and "legation build" in result.output
    assert not (tmp_path / "live").exists()


def test_killed_midway_the_target_keeps_every_page_and_the_next_deploy_finishes(site: Path, tmp_path: Path,
                                                                                 monkeypatch: pytest.MonkeyPatch
                                                                                 ) -> None:
    """The process dies after the assets and feeds and before the pages: every old page is still there, with
    everything it links to, and the next deploy completes the new version."""
    import generator.commands.deploy as deploy_module

    live = tmp_path / "live"
    assert cli(site, "deploy", "--to", str(live)).exit_code == 0
    old = tree(live)
    (site / "content/pages/about.en.md").unlink()
    image = site / "content/announcements/reading-room-opens/reading-room.png"
    image.rename(image.with_name("reading-room-2.png"))
    for index in image.parent.glob("index.*.md"):
        index.write_text(index.read_text(encoding="utf-8").replace("reading-room.png", "reading-room-2.png"),
                         encoding="utf-8")
    assert run_build(site, site / "public").ok
    real = deploy_module._run

    def dies_at_pages(args: Sequence[str]) -> subprocess.CompletedProcess[bytes]:
        listing = args[args.index("--files-from-raw") + 1] if "--files-from-raw" in args else ""
        if "copy" in args and ".html" in Path(listing).read_text(encoding="utf-8"):
            raise KeyboardInterrupt  # killed
        return real(args)

    monkeypatch.setattr(deploy_module, "_run", dies_at_pages)
    with pytest.raises(KeyboardInterrupt):
        deploy_module.deploy(site, site / "public", deploy_module.DeployConfig(),
                             DeployTarget("command line", str(live)), dry_run=False, force=True, run=dies_at_pages)
    now = tree(live)
    assert all(path in now and now[path] == old[path] for path in old if path.endswith(".html"))
    assert all(path in now for path in old)  # nothing an old page links to is gone yet
    assert "media/announcements/reading-room-opens/reading-room-2.png" in now  # new assets went first
    monkeypatch.setattr(deploy_module, "_run", real)
    assert cli(site, "deploy", "--to", str(live), "--force").exit_code == 0
    assert tree(live) == tree(site / "public")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Callable[..., int]]:
    """serve(kind, folder, *flags) starts `rclone serve KIND folder` on a free port of 127.0.0.1."""
    started: list[subprocess.Popen[bytes]] = []

    def serve(kind: str, folder: Path, *flags: str) -> int:
        port = free_port()
        folder.mkdir(parents=True, exist_ok=True)
        log = tmp_path / f"rclone-serve-{kind}-{port}.log"
        with open(log, "wb") as handle:
            process = subprocess.Popen([rclone_binary(), "serve", kind, str(folder), "--addr", f"127.0.0.1:{port}",
                                        *flags], stdout=subprocess.DEVNULL, stderr=handle)
        started.append(process)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", port)) == 0:
                    return port
            time.sleep(0.1)
        raise AssertionError(f"rclone serve {kind} did not start: {log.read_text(errors='replace')}")

    yield serve
    for process in started:
        process.terminate()
        process.wait(10)


def obscured(password: str) -> str:
    return subprocess.run([rclone_binary(), "obscure", password], capture_output=True, text=True,
                          check=True).stdout.strip()


def served_copy(remote: str, into: Path) -> dict[str, bytes]:
    """Every file as the server serves it, read back through the server (not from its folder)."""
    subprocess.run([rclone_binary(), "copy", remote, str(into), "-q"], check=True, env=os.environ.copy())
    return tree(into)


@pytest.mark.parametrize("kind", ["sftp", "s3", "webdav"])
def test_deploy_to_a_real_server_then_serves_the_build_byte_for_byte(site: Path, tmp_path: Path,
                                                                     served: Callable[..., int], kind: str,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / f"server-{kind}"
    if kind == "sftp":
        port = served("sftp", folder, "--user", "deploy", "--pass", "s3cret")
        monkeypatch.setenv("RCLONE_SFTP_PASS", obscured("s3cret"))
        url, remote = f"sftp://deploy@127.0.0.1:{port}/www", f":sftp,host=127.0.0.1,port={port},user=deploy:/www"
    elif kind == "webdav":
        port = served("webdav", folder, "--user", "deploy", "--pass", "s3cret")
        monkeypatch.setenv("RCLONE_WEBDAV_PASS", obscured("s3cret"))
        url = f"webdav+http://deploy@127.0.0.1:{port}/www"
        remote = f':webdav,url="http://127.0.0.1:{port}",vendor=other,user=deploy:www'
    else:
        (folder / "embassy").mkdir(parents=True)
        port = served("s3", folder, "--auth-key", "DEPLOYKEY,deploysecret123")
        monkeypatch.setenv("RCLONE_S3_ACCESS_KEY_ID", "DEPLOYKEY")
        monkeypatch.setenv("RCLONE_S3_SECRET_ACCESS_KEY", "deploysecret123")
        site_yml = site / "site.yml"
        site_yml.write_text(site_yml.read_text(encoding="utf-8") + "deploy:\n  targets:\n    production: "
                            f'{{url: "s3://embassy/www", endpoint: "http://127.0.0.1:{port}"}}\n', encoding="utf-8")
        url, remote = "", f':s3,provider=Other,endpoint="http://127.0.0.1:{port}":embassy/www'
    args = ("deploy", "--to", url) if url else ("deploy", "production")
    result = cli(site, *args)
    assert result.exit_code == 0, result.output
    assert served_copy(remote, tmp_path / "back") == tree(site / "public")
    if kind == "s3":  # what the object store will send browsers with each file
        listed = subprocess.run([rclone_binary(), "lsjson", "-R", "--metadata", "--files-only", remote + "/en"],
                                capture_output=True, text=True, check=True, env=os.environ.copy()).stdout
        meta = {entry["Path"]: entry["Metadata"] for entry in json.loads(listed)}
        assert meta["index.html"]["content-type"] == "text/html; charset=utf-8"
        assert meta["index.html"]["cache-control"] == "public, max-age=300"
        assert meta["atom.xml"]["content-type"] == "application/atom+xml; charset=utf-8"
        assert meta["events/calendar.ics"]["content-type"] == "text/calendar; charset=utf-8"
        media = {entry["Path"]: entry["Metadata"] for entry in json.loads(subprocess.run(
            [rclone_binary(), "lsjson", "-R", "--metadata", "--files-only", remote + "/media"],
            capture_output=True, text=True, check=True, env=os.environ.copy()).stdout)}
        assert media["announcements/reading-room-opens/reading-room.png"]["cache-control"] == "public, max-age=86400"
    again = cli(site, *args)
    assert again.exit_code == 0 and ": 0 files uploaded, 0 files deleted, " in again.output, again.output


def test_refused_credentials_say_where_to_put_them(site: Path, tmp_path: Path, served: Callable[..., int],
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    port = served("webdav", tmp_path / "dav", "--user", "deploy", "--pass", "right")
    monkeypatch.setenv("RCLONE_WEBDAV_PASS", obscured("wrong"))
    result = cli(site, "deploy", "--to", f"webdav+http://deploy@127.0.0.1:{port}/www")
    assert result.exit_code == 1 and "failed while sending" in result.output
    assert "RCLONE_WEBDAV_PASS" in result.output and "Traceback" not in result.output


def test_precompressed_copies_go_beside_text_files_and_leave_with_them(site: Path, tmp_path: Path) -> None:
    """For nginx's gzip_static and brotli_static: the same bytes at every deploy, removed with their page."""
    import gzip

    import brotli

    (site / "site.yml").write_text((site / "site.yml").read_text(encoding="utf-8")
                                   + "deploy: {precompress: [gzip, br]}\n", encoding="utf-8")
    live = tmp_path / "live"
    assert cli(site, "deploy", "--to", str(live)).exit_code == 0
    page = (site / "public/en/index.html").read_bytes()
    assert gzip.decompress((live / "en/index.html.gz").read_bytes()) == page
    assert brotli.decompress((live / "en/index.html.br").read_bytes()) == page
    assert (live / "media/announcements/reading-room-opens/reading-room.png").is_file()
    assert not (live / "media/announcements/reading-room-opens/reading-room.png.gz").exists()  # not text
    first = (live / "en/index.html.gz").read_bytes()
    (site / "content/events/poetry-evening.uz.md").unlink()
    assert run_build(site, site / "public").ok
    assert cli(site, "deploy", "--to", str(live)).exit_code == 0
    assert (live / "en/index.html.gz").read_bytes() == first  # unchanged page, same bytes
    assert not (live / "uz/events/poetry-evening/index.html").exists()
    assert not (live / "uz/events/poetry-evening/index.html.gz").exists()
    assert not (live / "uz/events/poetry-evening/index.html.br").exists()


def test_an_unreachable_target_says_so(site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RCLONE_SFTP_PASS", obscured("x"))
    result = cli(site, "deploy", "--to", f"sftp://deploy@127.0.0.1:{free_port()}/www")
    assert result.exit_code == 1
    assert "failed while sending" in result.output and "did not answer" in result.output, result.output
