import pytest

from analysis.errors import SourceFileError
from analysis.sources import fetch, load_manifest, parse_manifest, sha256_of


def _manifest(sha: str) -> dict:
    return parse_manifest(
        {
            "sources": {
                "demo": {
                    "title": "demo",
                    "publisher": "BPS",
                    "address": "https://example.invalid/demo.csv",
                    "license": "none",
                    "folder": "demo_folder",
                    "reader": "none",
                    "files": [{"path": "demo.csv", "sha256": sha}],
                }
            }
        }
    )


def test_copies_verifies_and_then_leaves_alone(tmp_path):
    root = tmp_path / "shared"
    (root / "demo_folder").mkdir(parents=True)
    (root / "demo_folder" / "demo.csv").write_text("a,b\n1,2\n")
    sources = _manifest(sha256_of(root / "demo_folder" / "demo.csv"))
    raw = tmp_path / "raw"
    assert [r.action for r in fetch(root, raw, sources)] == ["copied"]
    assert (raw / "demo_folder" / "demo.csv").read_text() == "a,b\n1,2\n"
    assert [r.action for r in fetch(root, raw, sources)] == ["up to date"]


def test_missing_file_names_the_file_and_where_to_get_it(tmp_path):
    with pytest.raises(SourceFileError) as exc:
        fetch(tmp_path / "nowhere", tmp_path / "raw", _manifest("0" * 64))
    message = str(exc.value)
    assert "demo_folder/demo.csv" in message
    assert "https://example.invalid/demo.csv" in message
    assert "--source-root" in message


def test_altered_file_is_refused_with_both_checksums(tmp_path):
    root = tmp_path / "shared"
    (root / "demo_folder").mkdir(parents=True)
    (root / "demo_folder" / "demo.csv").write_text("tampered\n")
    with pytest.raises(SourceFileError) as exc:
        fetch(root, tmp_path / "raw", _manifest("0" * 64))
    assert "checksum mismatch" in str(exc.value)
    assert sha256_of(root / "demo_folder" / "demo.csv") in str(exc.value)
    assert not (tmp_path / "raw" / "demo_folder" / "demo.csv").exists()


def test_source_root_comes_from_the_environment(tmp_path, monkeypatch):
    root = tmp_path / "elsewhere"
    (root / "demo_folder").mkdir(parents=True)
    (root / "demo_folder" / "demo.csv").write_text("x\n")
    monkeypatch.setenv("PIP_SOURCE_ROOT", str(root))
    sources = _manifest(sha256_of(root / "demo_folder" / "demo.csv"))
    assert fetch(None, tmp_path / "raw", sources)[0].action == "copied"


def test_manifest_covers_every_file_in_the_shared_data(raw_dir):
    from analysis.paths import source_root

    listed = {f.relpath for s in load_manifest().values() for f in s.files}
    root = source_root()
    present = {
        str(p.relative_to(root))
        for p in root.rglob("*")
        if p.is_file() and p.name not in ("PROVENANCE.md", "README.md")
    }
    assert present <= listed, f"files in {root} the manifest does not list: {present - listed}"
    for source in load_manifest().values():
        assert source.publisher and source.address and source.license
