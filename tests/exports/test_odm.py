"""The CDISC ODM 1.3.2 export: valid against the official schema, generated from the contract."""

import io
from pathlib import Path

import pytest
from django.core.management import call_command
from lxml import etree

from exports import datasets as d
from exports import odm
from exports.streaming import Scope

pytestmark = pytest.mark.django_db

NS = {"odm": odm.NAMESPACE}


def _write(tmp_path: Path, scope: Scope, **kwargs) -> etree._ElementTree:
    path = tmp_path / "odm.xml"
    with path.open("wb") as handle:
        odm.write_odm(handle, scope, **kwargs)
    odm.validate(path)
    return etree.parse(str(path))


@pytest.fixture
def seeded(db):
    call_command("seed_demo", participants=12, stdout=io.StringIO())


def test_the_seeded_trial_is_valid_odm(seeded, tmp_path):
    for deidentified in (False, True):
        tree = _write(tmp_path, Scope(deidentified=deidentified), audit=not deidentified)
        subjects = tree.findall(".//odm:SubjectData", NS)
        assert len(subjects) >= 12
        assert tree.find(".//odm:ItemData", NS) is not None


def test_identified_with_audit_records_and_signatures(trial, tmp_path):
    tree = _write(tmp_path, Scope(), audit=True)
    subject = tree.find(f".//odm:SubjectData[@SubjectKey='{trial.dead.study_id}']", NS)
    assert subject is not None
    assert subject.find("odm:SiteRef", NS).get("LocationOID") == f"LOC.{trial.dead.site.code}"
    arm_group = subject.find(".//odm:ItemGroupData[@ItemGroupOID='IG.ASSIGNMENTS']", NS)
    signature = arm_group.find("odm:Signature", NS)
    assert signature.find("odm:SignatureRef", NS).get("SignatureOID") == odm.SIGNATURE_ARM
    user = signature.find("odm:UserRef", NS).get("UserOID")
    assert tree.find(f".//odm:AdminData/odm:User[@OID='{user}']", NS) is not None
    item = subject.find(".//odm:ItemData[@ItemOID='IT.DEATHS.DEATH_DATE']", NS)
    assert item.get("Value") == str(trial.dead.death_report.death_date)
    assert item.find("odm:AuditRecord/odm:DateTimeStamp", NS) is not None
    # The unenrolled screening is a subject of its own, keyed by its screening number.
    key = trial.failed.screening_number
    assert tree.find(f".//odm:SubjectData[@SubjectKey='{key}']", NS) is not None


def test_deidentified_follows_the_csv_rules(trial, tmp_path):
    tree = _write(tmp_path, Scope(deidentified=True))
    assert tree.find(".//odm:User", NS) is None
    assert tree.find(".//odm:AuditRecord", NS) is None
    assert tree.find(".//odm:ItemDef[@OID='IT.SCREENING.INITIALS']", NS) is None
    death = tree.find(".//odm:ItemDef[@OID='IT.DEATHS.DEATH_DATE']", NS)
    assert death.get("DataType") == "integer"
    value = tree.find(".//odm:ItemData[@ItemOID='IT.DEATHS.DEATH_DATE']", NS).get("Value")
    assert int(value) > 0  # days from the diagnosis


def test_audit_records_are_refused_when_deidentified(tmp_path):
    with pytest.raises(ValueError):
        odm.write_odm(io.BytesIO(), Scope(deidentified=True), audit=True)


def test_metadata_is_the_contract(db, tmp_path):
    tree = _write(tmp_path, Scope())
    for dataset in d.DATASETS:
        group = tree.find(f".//odm:ItemGroupDef[@OID='{odm.group_oid(dataset)}']", NS)
        refs = [r.get("ItemOID") for r in group.findall("odm:ItemRef", NS)]
        assert refs == [odm.item_oid(dataset, c) for c in dataset.columns]
    status = tree.find(".//odm:ItemDef[@OID='IT.ASSESSMENTS.STATUS']", NS)
    code_list = status.find("odm:CodeListRef", NS).get("CodeListOID")
    codes = tree.findall(f".//odm:CodeList[@OID='{code_list}']/odm:CodeListItem", NS)
    assert "verified" in [c.get("CodedValue") for c in codes]
    decode = codes[0].findall("odm:Decode/odm:TranslatedText", NS)
    assert {t.get("{http://www.w3.org/XML/1998/namespace}lang") for t in decode} == {
        "en",
        "zh-Hans",
    }
    unit = tree.find(".//odm:ItemDef[@OID='IT.LESIONS.BASELINE_MM']/odm:MeasurementUnitRef", NS)
    assert unit.get("MeasurementUnitOID") == "MU.MM"
