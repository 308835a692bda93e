"""The CI files a school uses, validated against the services' published schemas
(check-jsonschema ships them, so this runs offline), and the deploy guide's CSP kept equal
to the one the pages carry."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

from generator.config import load_site
from generator.render import content_security_policy
from generator.sanitize import EMBED_HOSTS
from tests.conftest import REPO

CHECKS = [
    ("vendor.github-workflows", path) for path in sorted(
        (REPO / ".github" / "workflows").glob("*.yml"))
] + [("vendor.gitlab-ci", REPO / "docs" / "deploy" / "gitlab-ci.yml"),
      # A province over districts over schools: the example of docs/scale.md (issue 25).
      ("vendor.github-workflows", REPO / "docs" / "deploy" / "province.yml")]


@pytest.mark.parametrize(("schema", "path"), CHECKS, ids=[p.name for _, p in CHECKS])
def test_ci_file_matches_the_service_schema(schema: str, path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", schema, str(path)],
        capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


def test_deploy_headers_carry_the_pages_csp() -> None:
    # The header adds frame-ancestors, which a <meta> policy cannot carry (docs/deploy.md).
    policy = content_security_policy(EMBED_HOSTS) + "; frame-ancestors 'none'"
    netlify = tomllib.loads((REPO / "docs" / "deploy" / "netlify.toml").read_text())
    assert netlify["headers"][0]["values"]["Content-Security-Policy"] == policy
    assert f"Content-Security-Policy: {policy}" in (REPO / "docs" / "deploy.md").read_text()


def test_workflow_keeps_the_archive_and_deploys_to_pages() -> None:
    workflow = (REPO / ".github" / "workflows" / "build.yml").read_text()
    for needed in ("mading archive import", "mading archive export", "actions/deploy-pages",
                   "GITHUB_STEP_SUMMARY", 'cron: "17 */6 * * *"', "workflow_dispatch"):
        assert needed in workflow, needed


def test_workflow_keeps_the_build_cache_between_runs() -> None:
    """A fresh runner starts from the last run's build cache, so a scheduled build reads
    again only the Markdown posts that changed; the cache is saved only from a built portal."""
    steps = yaml.safe_load((REPO / ".github" / "workflows" / "build.yml").read_text()
                           )["jobs"]["build"]["steps"]
    names = [step.get("name") or step.get("uses") for step in steps]
    site = load_site(REPO / "site.yml")
    cache_file = site.cache_file.relative_to(site.root).as_posix()
    restore, save = (next(step for step in steps if step.get("uses", "").startswith(action))
                     for action in ("actions/cache/restore@", "actions/cache/save@"))
    assert restore["with"]["path"] == save["with"]["path"] == cache_file
    assert restore["with"]["key"] == save["with"]["key"]
    assert save["with"]["key"].startswith(restore["with"]["restore-keys"])
    assert names.index(restore["name"]) < names.index("Build") < names.index(save["name"])
    assert save["if"] == "steps.build.outcome == 'success'"


@pytest.mark.parametrize("path", [REPO / ".github" / "workflows" / "build.yml",
                                  REPO / "generator" / "new_school" / "build.yml"])
def test_workflow_keeps_the_pictures_with_the_archive(path: Path) -> None:
    """Issue 27: the posts' pictures survive the blog and are never fetched twice, so a
    fresh runner starts from the last run's .mading/images/, kept on mading-data."""
    steps = yaml.safe_load(path.read_text())["jobs"]["build"]["steps"]
    restore = next(s["run"] for s in steps if s.get("name") == "Restore the archive from the "
                   "last run")
    save = next(s["run"] for s in steps if s.get("name") == "Save the archive for the next run")
    site = load_site(REPO / "site.yml")
    images = site.images_dir.relative_to(site.root).as_posix()
    assert f"git archive FETCH_HEAD images | tar -x -C {images.rsplit('/', 1)[0]}" in restore
    assert f'cp -r "$GITHUB_WORKSPACE/{images}" images' in save
    assert "git add images" in save


def test_province_example_builds_each_district_in_a_matrix_then_the_province() -> None:
    """docs/scale.md's plan (issue 25): one job per district in a `strategy.matrix` that a
    failing district does not stop, then the province over the districts' portals."""
    jobs = yaml.safe_load((REPO / "docs" / "deploy" / "province.yml").read_text())["jobs"]
    strategy = jobs["district"]["strategy"]
    assert strategy["fail-fast"] is False
    assert strategy["matrix"]["district"]
    build = next(step["run"] for step in jobs["district"]["steps"]
                 if step.get("name") == "Build the district")
    assert 'districts/$DISTRICT/site.yml' in build and "${{ matrix.district }}" in str(
        jobs["district"]["steps"])
    assert jobs["province"]["needs"] == "district"
    assert jobs["province"]["if"] == "${{ !cancelled() }}"
