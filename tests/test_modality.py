"""Modality: the proposal from a quote's words, the structural shape, and `kb add-claim --modality`."""
import pytest
from click.testing import CliRunner

from reconcile.checks import check
from reconcile.cli import main
from reconcile.load import load
from reconcile.modality import MODALITIES, from_option, propose

from conftest import SHAPES


@pytest.mark.parametrize("quote, expected", [
    ("Do not perform the procedure on patients with a history of keloid formation in the treatment area.", "MustNot"),
    ("Avoid NSAIDs (e.g., aspirin, ibuprofen) for 3 days prior to the treatment.", "MustNot"),
    ("No hair coloring or chemical treatments for 1 week.", "MustNot"),
    ("Cleanse the scalp with an antiseptic solution.", "Must"),
    ("a precise diagnosis of the scalp and hair is essential", "Must"),
    ("Advise patients to avoid washing their hair for at least 24 hours.", "ShouldNot"),
    ("It is ideal for the patient to stop taking NSAIDS for 72 hours prior to the injection", "ShouldNot"),
    ("It is recommended to wait at least 4 weeks before coloring", "ShouldNot"),
    ("We recommend patients use Propecia, Finasteride or Minoxidil", "Should"),
    ("5–8 sessions are recommended.", "Should"),
    ("Blood thinners, anti-inflammatories, or high-dose vitamins may need to be paused per doctor’s advice.", "May"),
    ("Follow-up session every 6–12 months may be recommended.", "May"),
    ("Provide a post-treatment serum for continued home care (optional).", "May"),
    ("Following the procedure, you may go home and shower.", "May"),
    ("There is no need to stop minoxidil.", "NoNeed"),
    # descriptions and hedges of fact are not guidance
    ("Be aware the treated area may be tender.", None),
    ("current studies suggest they do not promote cancer cell growth.", None),
    ("exosome therapy alone may not be sufficient", None),
    ("Exosomes remain active for 6 to 8 months after treatment", None),
])
def test_propose_reads_the_strength_from_the_words(quote, expected):
    assert propose(quote) == expected


def test_every_option_is_a_concept_of_the_vocabulary(kb):
    concepts = {row["c"].rsplit("#", 1)[-1] for row in kb.store.rows(
        "PREFIX kb: <https://reconcile-kb.org/vocab#> PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
        "SELECT ?c WHERE { ?c a kb:Modality ; skos:inScheme kb:modalities ; skos:prefLabel ?l ; skos:definition ?d }")}
    assert set(MODALITIES.values()) == concepts


def test_an_option_overrides_the_proposal():
    assert from_option(None, "Avoid NSAIDs for 3 days.") == "MustNot"
    assert from_option("should-not", "Avoid NSAIDs for 3 days.") == "ShouldNot"
    assert from_option("none", "Avoid NSAIDs for 3 days.") is None


def _set_modality(kb_dir, modality):
    path = kb_dir / "claims" / "a.ttl"
    text = path.read_text(encoding="utf-8")
    old = '    kb:stated "3 weeks" ;\n'
    assert old in text
    path.write_text(text.replace(old, old + f"    kb:modality {modality} ;\n", 1), encoding="utf-8")


def test_a_modality_of_the_vocabulary_passes(kb_dir):
    _set_modality(kb_dir, "kb:MustNot")
    kb = load(kb_dir)
    assert kb.claim("a-nsaid-avoid-after").modality == "MustNot"
    assert check(kb, SHAPES) == []


@pytest.mark.parametrize("engine", ["fast", "pyshacl"])
def test_a_modality_outside_the_vocabulary_is_an_error(kb_dir, engine):
    _set_modality(kb_dir, "kb:Forbidden")
    findings = [f for f in check(load(kb_dir), SHAPES, engine=engine) if f.code == "claim-modality"]
    assert [(f.severity, f.focus, f.location.line) for f in findings] == [("error", "a-nsaid-avoid-after", 18)]
    assert findings[0].message.startswith("kb:modality must be one concept of kb:modalities in kb/vocab.ttl")


def _add(kb_dir, *extra):
    return CliRunner().invoke(main, ["add-claim", "--kb", str(kb_dir), "--shapes", str(SHAPES), "--by", "ed",
                                     "--source", "a", "--topic", "nsaid-avoid-after", "--context", "general",
                                     "--quote", "Avoid NSAIDs for 3 weeks after the procedure.", "--value", "3 weeks", *extra],
                               catch_exceptions=False)


def test_add_claim_writes_the_proposed_modality(kb_dir):
    result = _add(kb_dir)
    assert result.exit_code == 0, result.output
    assert "Modality: kb:MustNot (proposed from the quote's words; override with --modality)." in result.output
    assert "    kb:modality kb:MustNot ;\n" in (kb_dir / "claims" / "a.ttl").read_text()


@pytest.mark.parametrize("option, expected", [("should-not", "ShouldNot"), ("none", None)])
def test_add_claim_modality_option_overrides(kb_dir, option, expected):
    result = _add(kb_dir, "--modality", option)
    assert result.exit_code == 0, result.output
    claim = load(kb_dir).claim("a-nsaid-avoid-after-2")
    assert claim.modality == expected
