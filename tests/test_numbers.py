import pandas as pd
import pytest

from analysis.numbers import parse_numbers


@pytest.mark.parametrize(
    ("fmt", "raw", "expected"),
    [
        ("point", ["12.5", " 7 ", "-0.25", "1e3"], [12.5, 7.0, -0.25, 1000.0]),
        ("decimal_comma", ["18,98", " 71,15 ", "11.34", "1.234,5"], [18.98, 71.15, 11.34, 1234.5]),
        (
            "thousands_comma",
            [" 8,200 ", "13,167", "4,460", "305"],
            [8200.0, 13167.0, 4460.0, 305.0],
        ),
    ],
)
def test_parses_each_declared_format(fmt, raw, expected):
    values, problems = parse_numbers(pd.Series(raw), fmt)
    assert values.tolist() == pytest.approx(expected)
    assert problems.isna().all()


def test_decimal_comma_in_a_point_file_is_a_problem_with_a_hint():
    values, problems = parse_numbers(pd.Series(["12,5", "3.5"]), "point")
    assert pd.isna(values[0]) and values[1] == 3.5
    assert "decimal comma" in problems[0] and "number: decimal_comma" in problems[0]
    assert pd.isna(problems[1])


@pytest.mark.parametrize("raw", ["abc", "nan", "inf", "12%", "1..2", "--3"])
def test_text_that_is_not_a_number_is_reported_not_guessed(raw):
    values, problems = parse_numbers(pd.Series([raw]), "point")
    assert pd.isna(values[0])
    assert f"'{raw}' is not a number" in problems[0]
