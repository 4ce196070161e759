"""The names vocab.py and paths.py state once are the ones kb/vocab.ttl and shapes/ declare."""
from pathlib import Path

from rdflib import Graph, Literal
from rdflib.namespace import RDF, RDFS, SH

from reconcile import vocab
from reconcile.model import KB, UNIT, local_name
from reconcile.paths import CONFLICT_SHAPES, KB_FILES, STRUCTURE_SHAPES

REPO = Path(__file__).resolve().parents[1]


def vocabulary() -> Graph:
    return Graph().parse(REPO / "kb" / "vocab.ttl")


def instances(graph: Graph, cls) -> set[str]:
    return {local_name(s) for s in graph.subjects(RDF.type, cls)}


def test_quantity_kinds_and_their_units_are_the_vocabularys():
    graph = vocabulary()
    assert set(vocab.QUANTITY_KINDS) == instances(graph, KB.QuantityKind)
    units = {local_name(kind): local_name(unit) for kind, unit in graph.subject_objects(KB.unit)
             if (kind, RDF.type, KB.QuantityKind) in graph}
    assert vocab.CANONICAL_UNIT == units
    assert all((UNIT[unit], None, None) in graph for unit in vocab.CANONICAL_UNIT.values())


def test_safety_levels_are_the_vocabularys_and_name_the_severities():
    graph = vocabulary()
    assert set(vocab.SAFETY_LEVELS) == instances(graph, KB.SafetyLevel)
    assert vocab.SEVERITIES == tuple(str(graph.value(KB[level], RDFS.label)) for level in vocab.SAFETY_LEVELS)


def test_decisions_are_the_vocabularys_with_its_labels():
    graph = vocabulary()
    assert set(vocab.DECISIONS.values()) == instances(graph, KB.Decision)
    for name, decision in vocab.DECISIONS.items():
        assert graph.value(KB[decision], RDFS.label) == Literal(vocab.STATUS_LABELS[name], lang="en")
    assert set(vocab.STATUS_LABELS) == set(vocab.STATUSES)


def test_conflict_shapes_use_only_known_outcomes_and_severities():
    shapes = Graph().parse(REPO / "shapes" / CONFLICT_SHAPES)
    outcomes = {str(o) for o in shapes.objects(None, KB.outcome)}
    assert outcomes == set(vocab.OUTCOMES)
    assert set(shapes.objects(None, SH.severity)) <= set(vocab.CONFLICT_SEVERITY)


def test_the_named_files_exist_in_the_repository():
    assert all((REPO / "kb" / name).is_file() for name in KB_FILES)
    assert (REPO / "shapes" / STRUCTURE_SHAPES).is_file()
