from decimal import Decimal

import pytest

from reconcile.values import ValueParseError, describe, parse_value


@pytest.mark.parametrize("stated, low, high, stated_unit", [
    ("3–5 days", "3", "5", "DAY"),
    ("3-5 days", "3", "5", "DAY"),
    ("3 to 5 days", "3", "5", "DAY"),
    ("72 hours", "3", "3", "HR"),
    ("3 days", "3", "3", "DAY"),
    ("two to three months", "60.875", "91.3125", "MO"),
    ("2 to 3 months", "60.875", "91.3125", "MO"),
    ("3 weeks", "21", "21", "WK"),
    ("a year", "365.25", "365.25", "YR"),
    ("about 1 year", "365.25", "365.25", "YR"),
    ("6-8 weeks", "42", "56", "WK"),
    ("same day", "0", "1", "DAY"),
])
def test_durations_normalize_to_days(stated, low, high, stated_unit):
    value = parse_value(stated, "Duration")
    assert (value.min, value.max, value.unit, value.stated_unit) == (Decimal(low), Decimal(high), "DAY", stated_unit)


def test_72_hours_equals_3_days():
    assert parse_value("72 hours", "Duration").min == parse_value("3 days", "Duration").min


@pytest.mark.parametrize("stated, low, high", [
    ("at least 24 hours", Decimal(1), None),
    ("at least 4 weeks", Decimal(28), None),
    ("5 or more", Decimal(5), None),
    ("up to a year", None, Decimal("365.25")),
    ("within 2 days", None, Decimal(2)),
])
def test_open_bounds_stay_open(stated, low, high):
    kind = "Number" if "more" in stated else "Duration"
    value = parse_value(stated, kind)
    assert (value.min, value.max) == (low, high)


def test_counts_lengths_and_volumes():
    assert (parse_value("5–8", "Number").min, parse_value("5–8", "Number").max) == (5, 8)
    assert parse_value("at least 400 billion", "Number").min == Decimal(400) * 10**9
    assert parse_value("about 1 cm", "Length").min == 10
    value = parse_value("0.1–0.2 mL", "Volume")
    assert (value.min, value.max, value.unit) == (Decimal("0.1"), Decimal("0.2"), "MilliL")


def test_yes_no_sets_and_categories():
    assert parse_value("Yes", "YesNo").yes is True
    assert parse_value("no", "YesNo").yes is False
    assert parse_value("none", "Set").empty_set is True
    assert parse_value("Cancer; active scalp infection", "Set").members == ("active scalp infection", "cancer")
    assert parse_value("Minimally  invasive", "Category").category == "minimally invasive"


@pytest.mark.parametrize("stated, kind, message", [
    ("soon", "Duration", "Could not read 'soon' as a duration"),
    ("3", "Duration", "has no unit"),
    ("3 parsecs", "Duration", "unknown unit 'parsecs'"),
    ("3 mm", "Duration", "is a length, but this topic takes a duration"),
    ("5–3 days", "Duration", "lower bound is larger"),
    ("maybe", "YesNo", "is not yes or no"),
    ("", "Duration", "The value is empty"),
])
def test_unreadable_values_say_what_went_wrong(stated, kind, message):
    with pytest.raises(ValueParseError, match=message):
        parse_value(stated, kind)


def test_describe_picks_a_readable_unit():
    assert describe(Decimal("60.875"), Decimal("91.3125"), "DAY") == "2–3 months"
    assert describe(Decimal(3), Decimal(3), "DAY") == "3 days"
    assert describe(Decimal(1), None, "DAY") == "≥ 1 days"
    assert describe(None, None, None) == ""


@pytest.mark.parametrize("stated, kind, low, high, stated_unit", [
    ("≤30 minutes", "Duration", None, Decimal(30) / Decimal(1440), "MIN"),
    ("≥ 6 months", "Duration", Decimal("182.625"), None, "MO"),
    ("≥6 months", "Duration", Decimal("182.625"), None, "MO"),
    ("3,000–15,000", "Number", Decimal(3000), Decimal(15000), "NUM"),
    ("1,000,000 exosomes", "Number", Decimal(10**6), Decimal(10**6), "NUM"),
    ("sixth month", "Duration", Decimal("152.1875"), Decimal("182.625"), "MO"),
    ("in the 6th month", "Duration", Decimal("152.1875"), Decimal("182.625"), "MO"),
    ("by the sixth month", "Duration", None, Decimal("182.625"), "MO"),
    ("a year", "Duration", Decimal("365.25"), Decimal("365.25"), "YR"),
    ("by the third session", "Number", None, Decimal(3), "NUM"),
    ("the third session", "Number", Decimal(3), Decimal(3), "NUM"),
    ("400 plus billion", "Number", Decimal(400) * 10**9, None, "NUM"),
    ("400+ billion", "Number", Decimal(400) * 10**9, None, "NUM"),
    ("by 6 weeks", "Duration", None, Decimal(42), "WK"),
])
def test_value_forms_editors_meet(stated, kind, low, high, stated_unit):
    value = parse_value(stated, kind)
    rounded = None if high is None else high.quantize(Decimal("0.000001")).normalize()
    assert (value.min, value.max, value.stated_unit) == (low, rounded, stated_unit)


@pytest.mark.parametrize("stated, kind, example", [
    ("soon", "Duration", "This topic's value kind is Duration: give a value such as '3–5 days'"),
    ("a lot", "Number", "This topic's value kind is Number: give a value such as '3–6', '5 sessions'"),
    ("lots", "Length", "This topic's value kind is Length: give a value such as '2 mm'"),
    ("3 days", "Volume", "This topic's value kind is Volume: give a value such as '0.1 mL'"),
    ("maybe", "YesNo", "This topic's value kind is YesNo: give a value such as 'yes' or 'no'."),
    ("", "Set", "This topic's value kind is Set: give a value such as 'cancer; active scalp infection'"),
])
def test_an_unreadable_value_names_the_kind_and_an_example(stated, kind, example):
    with pytest.raises(ValueParseError) as raised:
        parse_value(stated, kind)
    assert example in str(raised.value)
    assert raised.value.for_topic("x-after").endswith(str(raised.value).split("This topic's")[1])
    assert "Topic x-after's value kind is " + kind in raised.value.for_topic("x-after")
