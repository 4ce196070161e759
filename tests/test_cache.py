"""Incremental checks give exactly the results of a full check, and only re-check changed topics."""
import json

from reconcile.conflicts import conflict_results
from reconcile.load import load

from conftest import SHAPES


def rows(results):
    return sorted((str(r.focus), str(r.value), str(r.severity), r.message, r.code, r.outcome) for r in results)


def test_incremental_check_equals_a_full_check_after_an_edit(kb_dir, tmp_path):
    cache = tmp_path / "cache.json"
    assert rows(conflict_results(load(kb_dir), SHAPES, "fast", cache)) == rows(conflict_results(load(kb_dir), SHAPES, "fast"))
    before = json.loads(cache.read_text())["topics"]
    path = kb_dir / "claims" / "b.ttl"
    path.write_text(path.read_text().replace("kb:min 4.0 ; kb:max 4.0", "kb:min 21.0 ; kb:max 21.0"))
    incremental = rows(conflict_results(load(kb_dir), SHAPES, "fast", cache))
    assert incremental == rows(conflict_results(load(kb_dir), SHAPES, "pyshacl"))
    after = json.loads(cache.read_text())["topics"]
    changed = sorted(topic for topic in after if after[topic]["key"] != before[topic]["key"])
    assert changed == ["nsaid-avoid-after"]


def test_a_broken_cache_file_is_ignored(kb_dir, tmp_path):
    cache = tmp_path / "cache.json"
    cache.write_text("{not json")
    assert rows(conflict_results(load(kb_dir), SHAPES, "fast", cache)) == rows(conflict_results(load(kb_dir), SHAPES, "fast"))


def test_a_cache_edited_by_hand_or_committed_hides_no_conflict(kb_dir, tmp_path):
    cache = tmp_path / "cache.json"
    full = rows(conflict_results(load(kb_dir), SHAPES, "fast"))
    assert full and rows(conflict_results(load(kb_dir), SHAPES, "fast", cache)) == full
    written = json.loads(cache.read_text())
    emptied = {topic: {**entry, "results": []} for topic, entry in written["topics"].items()}  # keys kept
    for tampered in ({**written, "topics": emptied}, {"topics": emptied}, [1], {"signature": 1, "topics": [2]},
                     {**written, "topics": {t: 3 for t in emptied}}):
        cache.write_text(json.dumps(tampered))
        assert rows(conflict_results(load(kb_dir), SHAPES, "fast", cache)) == full
