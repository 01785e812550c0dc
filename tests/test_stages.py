"""The stages of a build (generator/stages.py), each called on its own: what they hand on, and that the output
folders of a build that fails half-way are left as they were."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from generator.core.errors import LegationError
from generator.engine import stages
from generator.engine.run import BuildOptions, Run
from tests.conftest import NOW, run_build, tree


def started(root: Path, **options: object) -> Run:
    return Run(BuildOptions(root, root / "public", NOW, **options), None, None, False, "")  # type: ignore[arg-type]


def test_the_stages_hand_each_other_frozen_results_up_to_a_rendered_site(make_site: Callable[..., Path]) -> None:
    root = make_site()
    run = started(root, write=False)
    setup = stages.configure(run)
    catalog = stages.load_strings(run, setup)
    sources = stages.read_sources(run, setup)
    parse = stages.parse(run, setup, sources)
    published = stages.publish_media(run, setup, parse)
    assembled = stages.assemble_site(run, setup, published, parse)
    assert not run.diagnostics.errors
    assert {source.path for source in sources} == {page.source for page in published.pages}
    assert run.site is assembled.site
    with stages.Outputs(run, setup) as outputs:
        assert not outputs.kept  # a check: nothing is written, the rules need no files
        rendered = stages.render(run, setup, catalog, assembled, published, parse, outputs)
    paths = {output.path for output in rendered.placed}
    assert "en/index.html" in paths and "index.html" in paths
    with pytest.raises(AttributeError):
        setup.config = None  # type: ignore[misc]


def test_a_failure_while_rendering_leaves_the_live_site_and_no_staging_folder(make_site: Callable[..., Path]) -> None:
    root = make_site()
    assert run_build(root).ok
    before = tree(root / "public")
    run = started(root)
    setup = stages.configure(run)
    with pytest.raises(LegationError), stages.Outputs(run, setup) as outputs:
        assert outputs.site is not None and (root / ".public.staging").is_dir()
        outputs.site.put(stages.OutputFile("en/index.html", b"half a site"))
        raise LegationError([])
    run.settle()
    assert tree(root / "public") == before
    assert not (root / ".public.staging").exists()
