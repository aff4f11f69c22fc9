"""The release record: each release is a git tag `api-v<version>` and a committed copy
`openapi/releases/<version>.json` (a clean clone may lack the tags); the committed document
breaks nothing of the newest release while `info.version` stays the same."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from scripts.openapi_compat import (
    CURRENT,
    RELEASES,
    ROOT,
    VERSION,
    breaking_changes,
    corrections,
    newest_release,
    release_version,
)

DOC = json.loads(CURRENT.read_text(encoding="utf-8"))
RELEASE = newest_release()
GIT = shutil.which("git")


def test_the_committed_document_breaks_nothing_of_the_newest_release():
    """`make compat` runs the same check with its output."""
    old = json.loads(RELEASE.read_text(encoding="utf-8"))
    fixes = corrections(RELEASE)
    left = [str(c) for c in breaking_changes(old, DOC) if not any(f.covers(c) for f in fixes)]
    if old["info"]["version"] == DOC["info"]["version"]:
        assert left == [], (f"breaking changes against release {RELEASE.name} with the same "
                            "info.version: keep them out, or release a new version")


def test_each_correction_still_corrects_something():
    """A correction that covers nothing is left over from a re-cut release: drop it."""
    changes = breaking_changes(json.loads(RELEASE.read_text(encoding="utf-8")), DOC)
    for fix in corrections(RELEASE):
        assert any(fix.covers(c) for c in changes), f"drop the stale correction {fix.match!r}"


def test_releases_are_named_by_their_version_and_the_version_only_grows():
    for release in RELEASES.glob("*.json"):
        stem = release.name.removesuffix(".corrections.json").removesuffix(".json")
        assert VERSION.fullmatch(stem) and (RELEASES / f"{stem}.json").exists(), release.name
        if release.name == f"{stem}.json":
            document = json.loads(release.read_text(encoding="utf-8"))
            assert document["info"]["version"] == stem, release.name
    current = tuple(int(p) for p in DOC["info"]["version"].split("."))
    assert current >= release_version(RELEASE)


def git(repo: Path, *args: str) -> subprocess.CompletedProcess:
    assert GIT is not None
    return subprocess.run(  # noqa: S603 - git with this test's arguments
        [GIT, "-C", str(repo), "-c", "user.name=release", "-c", "user.email=release@example.org",
         *args], capture_output=True, text=True, timeout=60, check=False)


def tag_mismatches(repo: Path) -> list[str]:
    """Each `api-v<version>` tag of `repo` against its committed release copy."""
    wrong = []
    for tag in git(repo, "tag", "--list", "api-v*").stdout.split():
        copy = repo / "openapi" / "releases" / f"{tag.removeprefix('api-v')}.json"
        tagged = git(repo, "show", f"{tag}:openapi/openapi.json")
        if tagged.returncode != 0:
            wrong.append(f"{tag} has no openapi/openapi.json")
        elif not copy.exists():
            wrong.append(f"{tag} has no committed copy {copy.name}")
        elif json.loads(tagged.stdout) != json.loads(copy.read_text(encoding="utf-8")):
            wrong.append(f"{tag}'s openapi/openapi.json differs from {copy.name}")
    return wrong


def needs_git(repo: Path) -> None:
    if GIT is None or git(repo, "rev-parse", "--git-dir").returncode != 0:
        pytest.skip("no git repository here (a source archive): the tags cannot be read")


def test_each_release_tag_is_its_committed_copy():
    needs_git(ROOT)
    if not git(ROOT, "tag", "--list", "api-v*").stdout.split():
        pytest.skip("no api-v* tag yet (a clone without tags, or before the first release)")
    assert tag_mismatches(ROOT) == []


def test_a_tag_that_differs_from_its_copy_is_found(tmp_path):
    """The tag check against a throwaway repository: it passes, then sees each mismatch."""
    if GIT is None:
        pytest.skip("git is not installed")
    (tmp_path / "openapi" / "releases").mkdir(parents=True)
    document = tmp_path / "openapi" / "openapi.json"
    document.write_text(json.dumps(DOC))
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", ".")
    assert git(tmp_path, "commit", "-q", "-m", "api").returncode == 0
    assert git(tmp_path, "tag", "api-v1.0.0").returncode == 0
    assert tag_mismatches(tmp_path) == ["api-v1.0.0 has no committed copy 1.0.0.json"]
    copy = tmp_path / "openapi" / "releases" / "1.0.0.json"
    copy.write_text(json.dumps(DOC, indent=2))
    assert tag_mismatches(tmp_path) == []
    copy.write_text(json.dumps({**DOC, "paths": {}}))
    assert tag_mismatches(tmp_path) == ["api-v1.0.0's openapi/openapi.json differs from 1.0.0.json"]
