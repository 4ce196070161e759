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
    assert svg.count('<rect x=') == 2  # the bars; the patterns have rects of their own
    assert '<title id="chart-title">NSAIDs &lt;after&gt;</title>' in svg
    assert ("Values as compared, in weeks. a (3-5): 0.43 to 0.71, contradicts another claim; "
            "b (21-None): 3 to no upper bound, not compared.") in svg
    assert 'role="img"' in svg


def test_no_numeric_claims_no_chart():
    assert interval_chart([claim("a1", None, None)], {}, "t") == ""


def test_rows_carry_short_names_and_relations_by_pattern_as_well_as_colour():
    names = {"a": "Clinic A", "b": "Clinic B"}
    svg = interval_chart([claim("a1", Decimal(3), Decimal(5)), claim("b1", Decimal(4), Decimal(9))],
                         {"a1": "contradiction", "b1": "partial-overlap"}, "t", names.get, "chart-t")
    assert ">Clinic A: 3-5</text>" in svg and ">Clinic B: 4-9</text>" in svg
    assert 'fill="url(#chart-t-contradiction)"' in svg and 'fill="url(#chart-t-partial-overlap)"' in svg
    assert '<pattern id="chart-t-contradiction"' in svg and 'aria-labelledby="chart-t-title chart-t-desc"' in svg


def test_text_is_sized_in_pixels_and_the_unit_is_on_the_axis():
    svg = interval_chart([claim("a1", Decimal(3), Decimal(5))], {}, "t")
    assert "viewBox" not in svg and 'font-size="12"' in svg  # text keeps its size at any width
    assert ">in days</text>" in svg
