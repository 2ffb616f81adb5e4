"""The streaming writers of SAS XPORT, SPSS and Stata files, with hand-made rows (no database),
read back by pyreadstat (and Stata's by pandas too: pandas reads XPORT version 5 only, "Header
record is not an XPORT file", so a v8 file has pyreadstat alone)."""

import datetime as dt
import io
import math

import pandas as pd
import pyreadstat
import pytest

from exports import statfiles as sf

LONG = "肿瘤进展, 骨转移。" * 200  # 5,200 bytes of UTF-8: past SPSS's 255 and Stata's 2045
READ = {
    sf.XportWriter: pyreadstat.read_xport,
    sf.SavWriter: pyreadstat.read_sav,
    sf.DtaWriter: pyreadstat.read_dta,
}
VARIABLES = [
    sf.Variable("study_id", "Study ID", sf.TEXT, width=7),
    sf.Variable("note", "患者备注 (free text)", sf.TEXT, width=len(LONG.encode())),
    sf.Variable("age", "Age at diagnosis, in completed years of life", integer=True),
    sf.Variable("ki67", "Ki-67 (%)"),
    sf.Variable("arm", "分组", value_labels=((1, "手术"), (2, "no surgery")), integer=True),
    sf.Variable("diagnosed", "Diagnosis date", sf.DATE),
    sf.Variable("signed_at", "Signed at (UTC)", sf.DATETIME),
]
ROWS = [
    [
        "CH-0001",
        LONG,
        54,
        12.5,
        1,
        dt.date(2026, 1, 5),
        dt.datetime(2026, 2, 1, 9, 30, 15, tzinfo=dt.UTC),
    ],
    ["RJ-0002", "短", None, -0.125, 2, dt.date(1959, 12, 31), dt.datetime(1955, 6, 1, 23, 59)],
    ["RJ-0003", None, 151, None, None, None, None],
]


def _written(writer_class, tmp_path, rows):
    path = tmp_path / "data.bin"
    with path.open("wb") as handle:
        writer = writer_class(handle, VARIABLES, name="visits", label="Follow-up visits")
        for row in rows:
            writer.write_row(row)
        writer.close()
    return path


@pytest.mark.parametrize("writer_class", [sf.XportWriter, sf.SavWriter, sf.DtaWriter])
def test_rows_read_back_with_labels_dates_and_missing_values(writer_class, tmp_path):
    frame, meta = READ[writer_class](str(_written(writer_class, tmp_path, ROWS)))
    assert meta.number_rows == 3
    assert list(frame.columns) == [v.name for v in VARIABLES]
    assert meta.column_labels == [v.label for v in VARIABLES]
    assert list(frame["study_id"]) == ["CH-0001", "RJ-0002", "RJ-0003"]
    assert list(frame["note"]) == [LONG, "短", ""]
    assert frame["age"].iloc[0] == 54 and math.isnan(frame["age"].iloc[1])
    assert frame["ki67"].iloc[1] == -0.125 and math.isnan(frame["ki67"].iloc[2])
    assert list(frame["diagnosed"].iloc[:2]) == [dt.date(2026, 1, 5), dt.date(1959, 12, 31)]
    assert pd.isna(frame["diagnosed"].iloc[2])
    assert pd.Timestamp(frame["signed_at"].iloc[0]) == pd.Timestamp(2026, 2, 1, 9, 30, 15)
    assert pd.Timestamp(frame["signed_at"].iloc[1]) == pd.Timestamp(1955, 6, 1, 23, 59)
    assert pd.isna(frame["signed_at"].iloc[2])
    if writer_class is sf.XportWriter:
        assert meta.variable_value_labels == {}  # XPORT keeps value labels in no file
    else:
        assert meta.variable_value_labels == {"arm": {1: "手术", 2: "no surgery"}}


@pytest.mark.parametrize("writer_class", [sf.XportWriter, sf.SavWriter, sf.DtaWriter])
def test_a_file_without_rows_has_its_variables(writer_class, tmp_path):
    frame, meta = READ[writer_class](str(_written(writer_class, tmp_path, [])))
    assert meta.number_rows in (0, None) and frame.empty
    assert meta.column_names == [v.name for v in VARIABLES]
    assert meta.column_labels == [v.label for v in VARIABLES]


def test_pandas_reads_the_stata_file_with_its_value_labels(tmp_path):
    frame = pd.read_stata(_written(sf.DtaWriter, tmp_path, ROWS))
    assert list(frame["arm"].astype(object).iloc[:2]) == ["手术", "no surgery"]
    assert frame["note"].iloc[0] == LONG
    assert frame["diagnosed"].iloc[0] == pd.Timestamp(2026, 1, 5)
    assert frame["signed_at"].iloc[0] == pd.Timestamp(2026, 2, 1, 9, 30, 15)


@pytest.mark.parametrize("writer_class", [sf.XportWriter, sf.SavWriter, sf.DtaWriter])
def test_a_value_wider_than_its_variable_is_refused(writer_class):
    writer = writer_class(io.BytesIO(), VARIABLES)
    with pytest.raises(ValueError, match="study_id"):
        writer.write_row(["CH-00001", *ROWS[0][1:]])


@pytest.mark.parametrize(
    ("value", "ibm"),
    [
        (0.0, "0000000000000000"),
        (1.0, "4110000000000000"),
        (-118.625, "c276a00000000000"),  # IBM's own example
        (0.1, "401999999999999a"),  # exactly the double nearest 0.1
        (1e-80, "0000000000000000"),  # below IBM's range: zero
    ],
)
def test_ibm_double(value, ibm):
    assert sf.ibm_double(value).hex() == ibm


@pytest.mark.parametrize("writer_class", [sf.XportWriter, sf.SavWriter, sf.DtaWriter])
def test_text_past_what_sas_and_spss_hold_is_cut_there_and_whole_in_stata(writer_class, tmp_path):
    text = "骨" * 15_000  # 45,000 bytes
    path = tmp_path / "data.bin"
    with path.open("wb") as handle:
        writer = writer_class(handle, [sf.Variable("note", "Note", sf.TEXT, width=45_000)])
        writer.write_row([text])
        writer.close()
    frame, _meta = READ[writer_class](str(path))
    expected = text if writer_class is sf.DtaWriter else "骨" * (sf.TEXT_MAX // 3)
    assert frame["note"].iloc[0] == expected
