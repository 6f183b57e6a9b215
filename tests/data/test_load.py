"""Loading tables: formats, sniffing, encodings, chunks, object stores, and bad files."""

import gzip
import json

import numpy as np
import pandas as pd
import pytest

from skyclass.data import iter_table, load_table, sniff
from skyclass.errors import InputError, NotFoundError

FRAME = pd.DataFrame(
    {
        "x": [1.5, 2.0, None, 4.25],
        "n": [1, 2, 3, 4],
        "c": ["a", "b", None, "é"],
        "y": ["p", "q", "p", "q"],
    }
)


def _check(frame: pd.DataFrame) -> None:
    assert list(frame.columns) == ["x", "n", "c", "y"]
    assert frame["x"].tolist()[:2] == [1.5, 2.0] and np.isnan(frame["x"].iloc[2])
    assert frame["n"].tolist() == [1, 2, 3, 4]
    assert frame["c"].iloc[3] == "é" and pd.isna(frame["c"].iloc[2])
    assert frame["y"].tolist() == ["p", "q", "p", "q"]


@pytest.mark.parametrize("sep", [",", ";", "\t", "|"])
def test_csv_delimiter_is_sniffed(tmp_path, sep):
    path = tmp_path / "t.txt"
    FRAME.to_csv(path, sep=sep, index=False)
    assert sniff(path)["delimiter"] == sep
    _check(load_table(path))


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252", "utf-16"])
def test_encoding_is_sniffed(tmp_path, encoding):
    path = tmp_path / "t.csv"
    path.write_bytes(FRAME.to_csv(index=False).encode(encoding))
    _check(load_table(path))


def test_tsv_parquet_jsonl_json_and_gzip(tmp_path):
    FRAME.to_csv(tmp_path / "t.tsv", sep="\t", index=False)
    FRAME.to_parquet(tmp_path / "t.parquet")
    FRAME.to_json(tmp_path / "t.jsonl", orient="records", lines=True)
    (tmp_path / "t.json").write_text(FRAME.to_json(orient="records"))
    (tmp_path / "t.csv.gz").write_bytes(gzip.compress(FRAME.to_csv(index=False).encode()))
    (tmp_path / "noext").write_bytes((tmp_path / "t.parquet").read_bytes())
    for name in ["t.tsv", "t.parquet", "t.jsonl", "t.json", "t.csv.gz", "noext"]:
        _check(load_table(tmp_path / name))


def test_iter_table_chunks_equal_whole_table(tmp_path):
    rng = np.random.default_rng(0)
    big = pd.DataFrame({"a": rng.normal(size=5000), "b": rng.choice(["u", "v"], 5000)})
    for name, write in [("b.csv", big.to_csv), ("b.parquet", big.to_parquet)]:
        path = tmp_path / name
        write(path, index=False) if name.endswith("csv") else write(path)
        chunks = list(iter_table(path, chunk_rows=700))
        assert len(chunks) > 1
        joined = pd.concat(chunks, ignore_index=True)
        pd.testing.assert_frame_equal(joined, load_table(path), check_dtype=False)
        assert np.allclose(joined["a"].to_numpy(), big["a"].to_numpy())


def test_dataframe_passes_through():
    assert load_table(FRAME) is FRAME


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b"a,b\n", "no rows"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary content"),
        (b"a,b\n\x81\x8d,\x90\x9d\n", "unreadable text encoding"),
        (b"PAR1notreally", "not a readable parquet"),
    ],
)
def test_bad_files_raise_input_errors_naming_the_file(tmp_path, content, message):
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    with pytest.raises(InputError, match=message) as err:
        load_table(path)
    assert "bad.csv" in str(err.value)


def test_missing_path_and_directory(tmp_path):
    with pytest.raises(NotFoundError, match="no such file"):
        load_table(tmp_path / "nope.csv")
    with pytest.raises(InputError, match="is a directory"):
        load_table(tmp_path)


def test_json_that_is_not_records(tmp_path):
    path = tmp_path / "t.json"
    path.write_text(json.dumps([1, 2, 3]))
    with pytest.raises(InputError, match="list of objects"):
        load_table(path)


def test_s3_url_through_a_real_moto_server(port):
    moto_server = pytest.importorskip("moto.server")
    pytest.importorskip("s3fs")
    import boto3
    import fsspec

    from tests.helpers import wait_http

    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    options = {
        "key": "k",
        "secret": "s",
        "client_kwargs": {"endpoint_url": endpoint, "region_name": "us-east-1"},
    }
    try:
        wait_http(f"{endpoint}/", expect=None)
        client = boto3.client(
            "s3",
            endpoint_url=endpoint,
            region_name="us-east-1",
            aws_access_key_id="k",
            aws_secret_access_key="s",
        )
        client.create_bucket(Bucket="tables")
        body = FRAME.to_csv(index=False, sep=";").encode("cp1252")
        client.put_object(Bucket="tables", Key="t.csv", Body=body)
        fsspec.config.conf["s3"] = options
        _check(load_table("s3://tables/t.csv"))
        assert sum(len(c) for c in iter_table("s3://tables/t.csv", chunk_rows=2)) == 4
        with pytest.raises(NotFoundError):
            load_table("s3://tables/missing.csv")
    finally:
        fsspec.config.conf.pop("s3", None)
        server.stop()
