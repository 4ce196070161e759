from decimal import Decimal

from reconcile.chart import _ticks, interval_chart
from reconcile.model import Claim


def claim(id_, low, high, unit="DAY"):
    return Claim(id=id_, source=id_[0], source_file=f"{id_[0]}.txt", topic="t", context="general", quote="q",
                 prefix="", suffix="", start=0, end=1, stated=f"{low}-{high}", min=low, max=high, unit=unit)


def test_ticks_stay_few_and_round_at_any_scale():
    for high in (Decimal("0.2"), Decimal(3), Decimal(27), Decimal("4.6e11")):
        ticks = _ticks(high)
        assert 4 <= len(ticks) <= 11 and ticks[0] == 0 and ticks[-1] <= high


def test_chart_has_a_text_alternative_and_one_bar_per_numeric_claim():
    svg = interval_chart([claim("a1", Decimal(3), Decimal(5)), claim("b1", Decimal(21), None),
                          claim("c1", None, None)], {"a1": "contradiction"}, "NSAIDs <after>")
    assert svg.count("<rect") == 2
    assert '<title id="chart-title">NSAIDs &lt;after&gt;</title>' in svg
    assert "Normalized values in weeks. source a (3-5): 0.43 to 0.71; source b (21-None): 3 to no upper bound." in svg
    assert 'role="img"' in svg


def test_no_numeric_claims_no_chart():
    assert interval_chart([claim("a1", None, None)], {}, "t") == ""
