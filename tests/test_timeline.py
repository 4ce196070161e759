from decimal import Decimal

from reconcile.model import Claim
from reconcile.timeline import describe, rules, timeline_svg


def claim(id_, topic, context, low, high, stated):
    return Claim(id=id_, source=id_[0], source_file=f"{id_[0]}.txt", topic=topic, context=context, quote="q",
                 prefix="", suffix="", start=0, end=1, stated=stated, min=low, max=high, unit="DAY")


GROUPS = {"nsaid-stop-before": "preparation", "nsaid-avoid-after": "aftercare", "first-results": "results"}
LABELS = {"nsaid-stop-before": "Stopping NSAIDs before treatment", "nsaid-avoid-after": "Avoiding NSAIDs after treatment",
          "first-results": "First results"}
CLAIMS = [
    claim("a1", "nsaid-avoid-after", "after-treatment", Decimal(21), Decimal(21), "3 weeks"),
    claim("b1", "nsaid-avoid-after", "after-treatment", Decimal(4), Decimal(4), "4 days"),
    claim("a2", "nsaid-stop-before", "before-treatment", Decimal(3), Decimal(5), "3–5 days"),
    claim("c1", "first-results", "general", Decimal(42), Decimal(56), "6–8 weeks"),  # not a before/after rule
]


def found():
    return rules(CLAIMS, GROUPS.get, LABELS.get, {"a": "Clinic A", "b": "Clinic B"}.get,
                 lambda c: "contradiction" if c.topic == "nsaid-avoid-after" else "none")


def test_only_before_and_after_rules_are_kept_before_rules_first():
    assert [(r.claim.id, r.side) for r in found()] == [("a2", -1), ("a1", 1), ("b1", 1)]


def test_the_timeline_is_inline_svg_with_a_text_alternative_in_words():
    svg = timeline_svg(found(), "Rules <before> and after", "tl")
    assert svg.startswith('<svg class="interval-chart timeline" role="img" aria-labelledby="tl-title tl-desc"')
    assert '<title id="tl-title">Rules &lt;before&gt; and after</title>' in svg
    assert describe(found()) in svg.replace("&#x27;", "'")
    assert ("Avoiding NSAIDs after treatment, Clinic B: 4 days after treatment (contradicts another claim)"
            in describe(found()))
    assert ">Clinic A: 3–5 days</text>" in svg and 'fill="url(#tl-contradiction)"' in svg
    assert ">treatment</text>" in svg and ">← before treatment</text>" in svg


def test_no_rules_no_timeline():
    assert timeline_svg([], "t") == ""
