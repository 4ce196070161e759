"""The local store: queries with and without the inferences, and what it remembers for one run."""
import pyoxigraph as ox

from reconcile.store import CONFORMANCE_GRAPH, INFERRED, VIOLATES, LocalStore

DATA = """@prefix ex: <http://example.org/> .
ex:claim ex:target [ ex:exact "three weeks" ] ."""
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


def _count(store) -> int:
    return int(next(store.rows(COUNT))["n"])


def _store() -> LocalStore:
    store = LocalStore()
    store.load_turtle(DATA, "http://example.org/")
    store.infer("CONSTRUCT { ?s <http://example.org/inferred> true } WHERE { ?s <http://example.org/target> ?t }")
    return store


def test_queries_see_the_inferences_and_a_data_only_copy_does_not():
    store = _store()
    assert _count(store) == 3
    assert _count(store.data_only()) == 2
    assert len(list(store.store.quads_for_pattern(None, None, None, ox.NamedNode(INFERRED)))) == 1


def test_inferences_are_added_through_memory_where_no_temporary_file_can_be_written(monkeypatch):
    from reconcile import store as store_module

    def full_disk(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(store_module.tempfile, "TemporaryFile", full_disk)
    store = _store()
    assert [quad.object for quad in store.store.quads_for_pattern(None, None, None, ox.NamedNode(INFERRED))] == \
           [ox.Literal("true", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#boolean"))]


def test_the_data_only_copy_shares_the_data_and_sees_later_changes():
    store = _store()
    data = store.data_only()
    store.load_turtle("<http://example.org/a> <http://example.org/b> <http://example.org/c> .", "http://example.org/")
    assert _count(data) == 3 and _count(store) == 4


def test_remembered_triples_name_the_data_s_own_blank_nodes_until_forgotten():
    store = _store().data_only()
    store.remember(f"CONSTRUCT {{ ?t <{VIOLATES}> <http://example.org/Shape> }} "
                   "WHERE { ?c <http://example.org/target> ?t }")
    found = f"""ASK {{ ?t <http://example.org/exact> "three weeks" .
                      GRAPH <{CONFORMANCE_GRAPH}> {{ ?t <{VIOLATES}> <http://example.org/Shape> }} }}"""
    assert store.ask(found)  # the remembered blank node is the selector itself, not a copy
    store.forget()
    assert not store.ask(found)
