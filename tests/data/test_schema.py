"""Schema inference, JSON round trip and MLflow-like input validation (``Schema.coerce``)."""

import json

import numpy as np
import pandas as pd
import pytest

from skyclass.data import ColumnSchema, Schema, infer_schema
from skyclass.errors import InputError


@pytest.fixture
def table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "age": [31, 45, 52, 23],
            "income": [1.5, None, 3.0, 2.0],
            "member": [True, False, True, True],
            "plan": ["basic", "pro", None, "basic"],
            "signup": ["2024-01-02", "2024-03-04T10:00:00", "2023-12-31", "2024-02-29"],
            "when": pd.to_datetime(["2020-01-01", "2020-06-01", None, "2021-01-01"]),
            "churn": ["no", "yes", "no", "no"],
        }
    )


def test_infer_kinds_ranges_and_required(table):
    schema = infer_schema(table, target="churn")
    assert schema.target == "churn"
    assert schema.names == ["age", "income", "member", "plan", "signup", "when"]
    kinds = {c.name: c.kind for c in schema}
    assert kinds == {
        "age": "numeric",
        "income": "numeric",
        "member": "boolean",
        "plan": "categorical",
        "signup": "datetime",
        "when": "datetime",
    }
    assert schema["age"].minimum == 23.0 and schema["age"].maximum == 52.0
    assert schema["age"].required and not schema["income"].required
    assert schema["plan"].categories == ["basic", "pro"]
    assert schema["signup"].minimum == "2023-12-31T00:00:00"


def test_infer_text_when_long_and_mostly_unique():
    words = [f"customer {i} wrote a long complaint about item {i % 7}" for i in range(80)]
    schema = infer_schema(pd.DataFrame({"note": words, "tag": ["a", "b"] * 40}))
    assert schema["note"].kind == "text"
    assert schema["tag"].kind == "categorical"


def test_infer_target_missing_is_an_error(table):
    with pytest.raises(InputError, match="'nope' not found"):
        infer_schema(table, target="nope")


def test_round_trip_through_json(table):
    schema = infer_schema(table, target="churn")
    again = Schema.from_dict(json.loads(json.dumps(schema.to_dict())))
    assert again == schema


def test_from_dict_rejects_unknown_fields_and_kinds():
    with pytest.raises(InputError, match="unknown fields"):
        Schema.from_dict({"columns": [{"name": "a", "kind": "numeric", "colour": 1}]})
    with pytest.raises(InputError, match="kind 'float'"):
        ColumnSchema("a", "float")
    with pytest.raises(InputError, match="appears twice"):
        Schema([ColumnSchema("a", "numeric"), ColumnSchema("a", "numeric")])


def test_coerce_records_dicts_and_frames_agree(table):
    schema = infer_schema(table, target="churn")
    frame = schema.coerce(table)
    records = schema.coerce(table.drop(columns="churn").to_dict("records"))
    pd.testing.assert_frame_equal(frame, records, check_dtype=False)
    assert frame["age"].dtype == np.float64
    assert frame["member"].dtype == "boolean"
    assert frame["when"].dtype == "datetime64[ns]"
    assert frame["plan"].isna().tolist() == [False, False, True, False]
    assert frame["signup"].iloc[1] == pd.Timestamp("2024-03-04 10:00:00")


def test_coerce_missing_required_column_is_named():
    schema = Schema([ColumnSchema("age", "numeric"), ColumnSchema("plan", "categorical")])
    with pytest.raises(InputError, match="missing required column 'plan'"):
        schema.coerce([{"age": 3}])


def test_coerce_optional_column_filled_and_extra_ignored():
    schema = Schema(
        [ColumnSchema("age", "numeric"), ColumnSchema("bonus", "numeric", required=False)]
    )
    out = schema.coerce({"age": [1, 2], "unused": ["x", "y"]})
    assert out.columns.tolist() == ["age", "bonus"]
    assert out["age"].tolist() == [1.0, 2.0]
    assert out["bonus"].isna().all()


@pytest.mark.parametrize(
    ("kind", "values", "bad_row"),
    [
        ("numeric", [1, "2.5"], 1),
        ("numeric", [1.0, True], 1),
        ("boolean", [True, 2], 1),
        ("boolean", ["true"], 0),
        ("categorical", ["a", 1.5], 1),
        ("datetime", ["2024-01-01", 1700000000], 1),
        ("datetime", ["yesterday"], 0),
    ],
)
def test_coerce_wrong_type_names_column_and_row(kind, values, bad_row):
    schema = Schema([ColumnSchema("col", kind)])
    with pytest.raises(InputError, match=rf"column 'col': row {bad_row} "):
        schema.coerce({"col": values})


def test_coerce_safe_upcasts():
    schema = Schema(
        [
            ColumnSchema("n", "numeric"),
            ColumnSchema("b", "boolean"),
            ColumnSchema("c", "categorical"),
            ColumnSchema("d", "datetime"),
        ]
    )
    out = schema.coerce(
        [
            {"n": 1, "b": 1, "c": 7, "d": "2024-01-02T03:04:05+02:00"},
            {"n": None, "b": False, "c": "x", "d": None},
        ]
    )
    assert out["n"].tolist()[0] == 1.0 and np.isnan(out["n"].tolist()[1])
    assert out["b"].tolist() == [True, False]
    assert out["c"].tolist() == ["7", "x"]
    assert out["d"].iloc[0] == pd.Timestamp("2024-01-02 01:04:05")  # converted to UTC
    assert pd.isna(out["d"].iloc[1])


def test_coerce_rejects_ragged_and_non_records():
    schema = Schema([ColumnSchema("a", "numeric")])
    with pytest.raises(InputError, match="different lengths"):
        schema.coerce({"a": [1, 2], "b": [1]})
    with pytest.raises(InputError, match="row 1: expected an object"):
        schema.coerce([{"a": 1}, [2]])


def test_to_arrays_is_canonical():
    schema = Schema(
        [
            ColumnSchema("n", "numeric"),
            ColumnSchema("b", "boolean"),
            ColumnSchema("c", "categorical"),
            ColumnSchema("d", "datetime"),
        ]
    )
    arrays = schema.to_arrays(
        [
            {"n": 2, "b": True, "c": "x", "d": "1970-01-02"},
            {"n": None, "b": None, "c": None, "d": None},
        ]
    )
    assert arrays["n"].dtype == np.float64 and arrays["n"][0] == 2.0 and np.isnan(arrays["n"][1])
    assert arrays["b"][0] == 1.0 and np.isnan(arrays["b"][1])
    assert arrays["c"].tolist() == ["x", ""]
    assert arrays["d"][0] == 86400.0 and np.isnan(arrays["d"][1])


def test_pandas_extension_dtypes():
    df = pd.DataFrame(
        {
            "n": pd.array([1, None, 3], dtype="Int64"),
            "cat": pd.Categorical(["x", "y", "x"]),
            "flag": pd.array([True, None, False], dtype="boolean"),
            "t": pd.to_datetime(["2024-01-01T00:00:00+01:00"] * 3, utc=True),
        }
    )
    schema = infer_schema(df)
    assert [(c.kind, c.required) for c in schema] == [
        ("numeric", False),
        ("categorical", True),
        ("boolean", False),
        ("datetime", True),
    ]
    arrays = schema.to_arrays(df)
    assert arrays["n"][0] == 1.0 and np.isnan(arrays["n"][1])
    assert arrays["cat"].tolist() == ["x", "y", "x"]
    assert arrays["flag"][0] == 1.0 and np.isnan(arrays["flag"][1]) and arrays["flag"][2] == 0.0
    assert arrays["t"][0] == pd.Timestamp("2023-12-31T23:00:00Z").timestamp()


# -- train/serve parity: placeholders, date formats, numbers as text ------------------


def test_read_formats_placeholders_keep_a_numeric_column_numeric():
    from skyclass.data import read_formats

    raw = pd.DataFrame(
        {"age": ["31", "?", "45", "?", "n/a"], "plan": ["a", "?", "b", "a", "b"], "y": list("ynyny")}
    )
    result = read_formats(raw, target="y")
    ages = result.frame["age"]
    assert ages.dtype == np.float64 and ages.isna().tolist() == [False, True, False, True, True]
    assert ages[[0, 2]].tolist() == [31.0, 45.0]
    assert result.formats == {"age": {"missing_values": ["?", "n/a"]}}
    assert result.frame["plan"].tolist() == ["a", "?", "b", "a", "b"]  # a category: left alone
    assert len(result.notes) == 1 and "'age': 3 cells '?', 'n/a' read as missing" in result.notes[0]
    schema = infer_schema(result.frame, target="y", formats=result.formats)
    assert schema["age"].kind == "numeric" and schema["age"].missing_values == ["?", "n/a"]
    assert Schema.from_dict(json.loads(json.dumps(schema.to_dict()))) == schema
    # predict/serve: the same placeholders (and the usual null tokens) are missing values
    arrays = schema.to_arrays({"age": ["?", "n/a", "NA", None, 50], "plan": ["a"] * 5})
    assert np.isnan(arrays["age"][:4]).all() and arrays["age"][4] == 50.0


def test_read_formats_leaves_real_text_alone():
    from skyclass.data import read_formats

    raw = pd.DataFrame({"code": ["12", "AB", "7", "?"], "when": ["2024-01-02"] * 4})
    result = read_formats(raw)
    assert result.formats == {} and result.notes == []
    assert result.frame.equals(raw)


@pytest.mark.parametrize(
    ("values", "fmt", "first"),
    [
        (["Jan-2018", "Feb-2018", "Dec-2019"], "%b-%Y", "2018-01-01T00:00:00"),
        (["31/12/2024", "01/02/2023", "15/06/2022"], "%d/%m/%Y", "2024-12-31T00:00:00"),
        (["Mar 5, 2021", "Apr 17, 2022", "May 1, 2020"], "%b %d, %Y", "2021-03-05T00:00:00"),
    ],
)
def test_a_bundle_reads_its_training_date_format(values, fmt, first):
    from skyclass.data import read_formats

    raw = pd.DataFrame({"month": [*values, None], "y": list("abab")})
    result = read_formats(raw, target="y")
    assert result.formats == {"month": {"date_format": fmt}}
    schema = infer_schema(result.frame, target="y", formats=result.formats)
    assert schema["month"].kind == "datetime" and schema["month"].date_format == fmt
    assert schema["month"].minimum <= first <= schema["month"].maximum
    # the training file's own strings, and ISO-8601, score at predict/serve time
    served = schema.coerce({"month": [values[0], first, None]})["month"]
    assert served.iloc[0] == pd.Timestamp(first) == served.iloc[1] and pd.isna(served.iloc[2])
    trained = schema.coerce(result.frame)["month"]
    assert trained.iloc[0] == pd.Timestamp(first)
    with pytest.raises(InputError, match=r"column 'month': row 1 is 'soon'.*date format"):
        schema.coerce({"month": [values[0], "soon"]})


def test_numbers_as_text_in_a_table_column_name_the_bad_cell():
    """A CSV column with one bad cell arrives as text: the error names that cell, not row 0."""
    schema = Schema([ColumnSchema("x", "numeric")])
    column = pd.Series(["1.5", "2", "abc", "4"], dtype="str")
    with pytest.raises(InputError, match=r"column 'x': row 2 is 'abc'"):
        schema.coerce({"x": column})
    from skyclass.data import DataQuality

    quality = DataQuality()
    arrays = schema.to_arrays({"x": pd.Series(["1.5", "2", "?"], dtype="str")}, quality)
    assert arrays["x"][:2].tolist() == [1.5, 2.0] and np.isnan(arrays["x"][2])
    assert quality.coerced == {"x": 2} and quality.missing_values == {"x": 1}
    with pytest.raises(InputError, match="row 0 is '1.5'"):  # JSON values stay strict
        schema.coerce({"x": ["1.5"]})


def test_data_quality_counts_missing_columns_cells_and_unseen_categories():
    from skyclass.data import DataQuality

    schema = Schema(
        [
            ColumnSchema("age", "numeric"),
            ColumnSchema("income", "numeric", required=False),
            ColumnSchema("plan", "categorical", categories=["basic", "pro"]),
        ]
    )
    quality = DataQuality()
    schema.to_arrays({"age": [1, None, 3], "plan": ["basic", "gold", None]}, quality)
    assert quality.rows == 3
    assert quality.missing_columns == {"income": 3}
    assert quality.missing_values == {"age": 1, "income": 3, "plan": 1}
    assert quality.unseen == {"plan": 1} and quality.examples == {"plan": ["gold"]}
    lines = quality.lines()
    assert lines[0] == "column 'income' is missing from the input: all 3 rows imputed"
    assert any("'plan': 1 of 3 values are categories unseen" in line for line in lines)
    with pytest.raises(InputError, match="--strict.*'income' is missing"):
        quality.check_strict()
    clean = DataQuality()
    schema.to_arrays({"age": [1], "income": [2.0], "plan": ["pro"]}, clean)
    assert not clean and clean.rows == 1
    clean.check_strict()
