"""Conformance of the SAPIENT decoder to BSI Flex 335 v2.0, written from the standard's own
documents: the v2.0 ``.proto`` sources (their ``is_mandatory``, ``is_uuid``, ``is_ulid``
annotations, enumerations and field numbers) and Dstl's test harness (its validators and its
``SapientServicesValidator.UnitTests`` True/False cases, whose names the cases below carry).

Every message here is built by an independent binding (``independent.py``): the protobuf text
format over a schema compiled from the ``.proto`` files, or raw wire bytes written by hand —
never by dronewall's encoder.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from google.protobuf.descriptor import FieldDescriptor
from google.protobuf.message import Message

from dronewall.sensors.sapient import Reason, SapientError, decode
from dronewall.sensors.sapient.binding import SapientMessage
from dronewall.sensors.sapient.validation import mandatory_fields, mandatory_oneofs
from tests.sensors.sapient import independent
from tests.sensors.sapient.independent import Wire

Step = tuple[str, int | None]  # field name, index in a repeated field


def _reject(message: Message | bytes) -> SapientError:
    payload = message if isinstance(message, bytes) else message.SerializeToString()
    result = decode(payload)
    assert isinstance(result, SapientError), "the decoder accepted a non-conformant message"
    return result


# --- the annotations, read from the .proto text ---------------------------------------------


def _proto_annotations() -> dict[str, set[tuple[str, str]]]:
    """Scan the .proto sources: (message path, field) per annotation, oneofs marked mandatory."""
    found: dict[str, set[tuple[str, str]]] = {
        "is_mandatory": set(),
        "is_uuid": set(),
        "is_ulid": set(),
        "oneof": set(),
    }
    block = re.compile(r"^\s*(message|enum|oneof)\s+(\w+)\s*\{")
    field = re.compile(r"^\s*(?:optional\s+|repeated\s+)?[\w.]+\s+(\w+)\s*=\s*\d+\s*\[(.*)\]")
    for source in independent.proto_sources():
        stack: list[tuple[str, str]] = []
        for raw in source.read_text().splitlines():
            line = raw.split("//", 1)[0]
            if not line.strip():
                continue
            if match := block.match(line):
                stack.append((match.group(1), match.group(2)))
                continue
            if line.strip() in ("}", "};"):
                if stack:  # else the end of a top-level option block
                    stack.pop()
                continue
            message = ".".join(name for kind, name in stack if kind == "message")
            if "oneof_options" in line and "is_mandatory: true" in line:
                found["oneof"].add((message, stack[-1][1]))
            elif match := field.match(line):
                for flag in ("is_mandatory", "is_uuid", "is_ulid"):
                    if f"{flag}: true" in match.group(2):
                        found[flag].add((message, match.group(1)))
    return found


ANNOTATIONS = _proto_annotations()
# Fields the harness's validators require though the .proto files do not flag them (the
# .proto files of sapient-msg and of Dstl's harness repository are the same, options aside):
# RuleFor(...).NotEmpty() "is mandatory" in ErrorValidator.cs, TaskDefinitionValidator.cs and
# DerivedDetectionValidator.cs, whose absence the False cases 0170/0171, 0074 and 0129 reject.
HARNESS_MANDATORY = {
    ("Error", "error_message"),
    ("Registration.TaskDefinition", "concurrent_tasks"),
    ("DetectionReport.DerivedDetection", "timestamp"),
}
ICD_MANDATORY = ANNOTATIONS["is_mandatory"] | HARNESS_MANDATORY


def test_the_validator_enforces_exactly_the_mandatory_fields_of_the_icd() -> None:
    assert len(ANNOTATIONS["is_mandatory"]) > 100  # the scan found the annotations
    assert not HARNESS_MANDATORY & ANNOTATIONS["is_mandatory"]  # not flagged in the .proto
    assert mandatory_fields() == ICD_MANDATORY


def _commented_out_mandatory() -> set[tuple[str, str]]:
    """Fields whose v1 declaration, commented out in the .proto, was flagged mandatory."""
    found = set()
    for source in independent.proto_sources():
        text = source.read_text()
        for match in re.finditer(r"//\s*(?:optional\s+)?[\w.]+\s+(\w+)\s*=.*is_mandatory", text):
            found.add((source.stem, match.group(1)))
    return found


def test_fields_whose_v1_form_was_mandatory_stay_mandatory() -> None:
    assert _commented_out_mandatory() == {
        ("alert_ack", "alert_status"),
        ("error", "error_message"),
        ("registration", "name"),
        ("status_report", "status_type"),
    }
    enforced = mandatory_fields()
    assert ("AlertAck", "alert_ack_status") in enforced  # alert_status's flagged successor
    assert ("StatusReport.Status", "status_type") in enforced  # string → flagged enumeration
    # error_message 2 → repeated error_message 3 lost the flag, not the rule (ErrorValidator.cs)
    assert ("Error", "error_message") in enforced
    # Registration.Command.name: reserved, no successor.


def test_the_validator_enforces_exactly_the_mandatory_oneofs_of_the_proto_sources() -> None:
    assert mandatory_oneofs() == ANNOTATIONS["oneof"]


# --- the corpus: valid messages in every shape the harness sends ------------------------------


@pytest.mark.parametrize("name", independent.corpus_names())
def test_corpus_message_is_accepted_unchanged(name: str) -> None:
    theirs = independent.corpus(name)
    ours = decode(theirs.SerializeToString())
    assert not isinstance(ours, SapientError), str(ours)
    assert ours.SerializeToString(deterministic=True) == theirs.SerializeToString(
        deterministic=True
    )
    assert name.startswith(str(ours.WhichOneof("content")).split("_")[0])


def test_corpus_covers_every_message_type() -> None:
    contents = {independent.corpus(n).WhichOneof("content") for n in independent.corpus_names()}
    assert contents == {f.name for f in SapientMessage.DESCRIPTOR.oneofs_by_name["content"].fields}


def test_a_message_written_as_json_like_the_harness_is_accepted() -> None:
    theirs = independent.from_json(
        """{
          "timestamp": "2023-07-07T12:44:17.027638700Z",
          "nodeId": "a8654cdf-4328-47de-81fa-c495589e30c8",
          "detectionReport": {
            "reportId": "01GGYFBAXGDG7AGAHRZ6XSNY12",
            "objectId": "01GGYFBAXH4VYRQYEX7S3XGK3H",
            "location": {"x": -1.82237671048, "y": 51.1739726374, "z": 788,
                         "coordinateSystem": "LOCATION_COORDINATE_SYSTEM_LAT_LNG_DEG_M",
                         "datum": "LOCATION_DATUM_WGS84_E"},
            "detectionConfidence": 0.99,
            "classification": [{"type": "Human", "confidence": 0.8,
                                "subClass": [{"type": "Male", "confidence": 0.6, "level": 1}]}]
          }
        }"""
    )
    assert not isinstance(decode(theirs.SerializeToString()), SapientError)


# --- mutations: every mandatory field of every corpus message, cleared one at a time ---------


@dataclass(frozen=True)
class Site:
    """A set field inside a corpus message: how to reach it and its dotted path."""

    steps: tuple[Step, ...]
    message: str  # type holding the field, relative to the package
    field: FieldDescriptor

    @property
    def path(self) -> str:
        text = ""
        for name, index in self.steps:
            text += f".{name}" if text else name
            text += f"[{index}]" if index is not None else ""
        return text


def _sites(message: Message, prefix: tuple[Step, ...] = ()) -> Iterator[Site]:
    holder = message.DESCRIPTOR.full_name.removeprefix(independent.PACKAGE + ".")
    for field, value in message.ListFields():
        if field.is_repeated:
            yield Site((*prefix, (field.name, None)), holder, field)
            if field.message_type is not None:
                for i, item in enumerate(value):
                    yield from _sites(item, (*prefix, (field.name, i)))
        else:
            yield Site((*prefix, (field.name, None)), holder, field)
            if field.message_type is not None:
                yield from _sites(value, (*prefix, (field.name, None)))


def _parent(message: Message, steps: tuple[Step, ...]) -> Message:
    for name, index in steps[:-1]:
        value = getattr(message, name)
        message = value[index] if index is not None else value
    return message


def _mutated(name: str, site: Site, change: Callable[[Message, str], None]) -> Message:
    copy = independent.corpus(name)
    change(_parent(copy, site.steps), site.steps[-1][0])
    return copy


def _mandatory_sites() -> list[tuple[str, Site]]:
    cases = []
    for name in independent.corpus_names():
        for site in _sites(independent.corpus(name)):
            if (site.message, site.field.name) in ICD_MANDATORY:
                cases.append((name, site))
    return cases


MANDATORY = _mandatory_sites()


def test_the_mutation_suite_reaches_most_mandatory_fields() -> None:
    reached = {(site.message, site.field.name) for _, site in MANDATORY}
    assert len(MANDATORY) > 300
    assert reached == ICD_MANDATORY


@pytest.mark.parametrize(("name", "site"), MANDATORY, ids=[f"{n}:{s.path}" for n, s in MANDATORY])
def test_clearing_a_mandatory_field_is_rejected_naming_it(name: str, site: Site) -> None:
    error = _reject(_mutated(name, site, lambda parent, field: parent.ClearField(field)))
    assert error.reason is Reason.MISSING_FIELD
    assert error.field == site.path


def _oneof_sites() -> list[tuple[str, tuple[Step, ...], str]]:
    cases = []
    for name in independent.corpus_names():
        message = independent.corpus(name)
        holders = [((), message)] + [
            (s.steps, _parent(message, (*s.steps, ("", None))))
            for s in _sites(message)
            if s.field.message_type is not None and not s.field.is_repeated
        ]
        for steps, holder in holders:
            type_name = holder.DESCRIPTOR.full_name.removeprefix(independent.PACKAGE + ".")
            for oneof in holder.DESCRIPTOR.oneofs:
                if (type_name, oneof.name) in ANNOTATIONS["oneof"]:
                    cases.append((name, steps, oneof.name))
    return cases


ONEOFS = _oneof_sites()


@pytest.mark.parametrize(("name", "steps", "oneof"), ONEOFS)
def test_emptying_a_mandatory_oneof_is_rejected(
    name: str, steps: tuple[Step, ...], oneof: str
) -> None:
    copy = independent.corpus(name)
    holder = _parent(copy, (*steps, ("", None)))
    holder.ClearField(holder.WhichOneof(oneof))
    error = _reject(copy)
    assert error.reason is Reason.MISSING_FIELD
    assert error.field.endswith(oneof)


# --- enumerations and identifiers, field by field --------------------------------------------


def _enum_sites() -> list[tuple[str, Site]]:
    return [
        (name, site)
        for name in independent.corpus_names()
        for site in _sites(independent.corpus(name))
        if site.field.enum_type is not None and not site.field.is_repeated
    ]


ENUMS = _enum_sites()


@pytest.mark.parametrize(("name", "site"), ENUMS, ids=[f"{n}:{s.path}" for n, s in ENUMS])
def test_an_undefined_enumeration_value_is_rejected(name: str, site: Site) -> None:
    undefined = max(v.number for v in site.field.enum_type.values) + 7
    error = _reject(_mutated(name, site, lambda parent, f: setattr(parent, f, undefined)))
    assert error.reason is Reason.BAD_ENUM
    assert error.value == undefined


def test_a_mandatory_enumeration_left_unspecified_is_rejected() -> None:
    mandatory = [
        (n, s) for n, s in ENUMS if (s.message, s.field.name) in ANNOTATIONS["is_mandatory"]
    ]
    assert len(mandatory) > 20
    for name, site in mandatory:
        error = _reject(_mutated(name, site, lambda parent, f: setattr(parent, f, 0)))
        assert error.reason in (Reason.BAD_ENUM, Reason.MISSING_FIELD), site.path


def _id_sites() -> list[tuple[str, Site]]:
    flagged = ANNOTATIONS["is_uuid"] | ANNOTATIONS["is_ulid"]
    return [
        (name, site)
        for name in independent.corpus_names()
        for site in _sites(independent.corpus(name))
        if (site.message, site.field.name) in flagged
    ]


IDS = _id_sites()


@pytest.mark.parametrize(("name", "site"), IDS, ids=[f"{n}:{s.path}" for n, s in IDS])
@pytest.mark.parametrize(
    "bad", ["not-an-id", "01GGYFBAXGDG7AGAHRZ6XSNY1", "8ZZZZZZZZZZZZZZZZZZZZZZZZZ"]
)
def test_a_malformed_identifier_is_rejected(name: str, site: Site, bad: str) -> None:
    error = _reject(_mutated(name, site, lambda parent, f: setattr(parent, f, bad)))
    assert (error.reason, error.field, error.value) == (Reason.BAD_ID, site.path, bad)


def test_identifiers_in_either_case_and_uuid_forms_of_the_harness_are_accepted() -> None:
    message = independent.corpus("detection_location_full")
    message.node_id = "A8654CDF432847DE81FAC495589E30C9"
    message.detection_report.report_id = "01ggyfbaxgdg7agahrz6xsny12"
    assert not isinstance(decode(message.SerializeToString()), SapientError)


# --- the harness's named False cases ------------------------------------------------------------


def _set(path: str, value: object) -> Callable[[Message], None]:
    def change(message: Message) -> None:
        *steps, last = path.split(".")
        for step in steps:
            name, _, index = step.partition("[")
            message = getattr(message, name)
            if index:
                message = message[int(index.rstrip("]"))]
        if value is _CLEAR:
            message.ClearField(last)
        elif isinstance(value, list):
            del getattr(message, last)[:]
            getattr(message, last).extend(value)
        else:
            setattr(message, last, value)

    return change


_CLEAR = object()
HARNESS_FALSE = [
    ("0001.Timestamp.Error", "registration_full", "timestamp.nanos", 2_000_000_000, "out_of_range"),
    ("0002.Timestamp.Missing", "registration_full", "timestamp", _CLEAR, "missing_field"),
    ("0003.NodeId.Error", "registration_full", "node_id", "a8654cdf-4328", "bad_id"),
    ("0004.NodeId.Missing", "registration_full", "node_id", _CLEAR, "missing_field"),
    ("0006.DestinationId.Error", "registration_full", "destination_id", "x", "bad_id"),
    ("0007.Content.Missing", "registration_full", "registration", _CLEAR, "missing_field"),
    (
        "0008.AssociatedDetection.NodeId.Error",
        "detection_location_full",
        "detection_report.associated_detection[0].node_id",
        "6f582b41",
        "bad_id",
    ),
    (
        "0013.AssociatedFile.URL.Missing",
        "detection_location_full",
        "detection_report.associated_file[0].url",
        _CLEAR,
        "missing_field",
    ),
    (
        "0014.Location.x.Missing",
        "detection_utm",
        "detection_report.location.x",
        _CLEAR,
        "missing_field",
    ),
    (
        "0015.Location.y.Missing",
        "detection_utm",
        "detection_report.location.y",
        _CLEAR,
        "missing_field",
    ),
    (
        "0016.Location.CoordinateSystem.Missing",
        "detection_utm",
        "detection_report.location.coordinate_system",
        _CLEAR,
        "missing_field",
    ),
    (
        "0017.Location.Datum.Missing",
        "detection_utm",
        "detection_report.location.datum",
        _CLEAR,
        "missing_field",
    ),
    (
        "0018.RangeBearing.CoordinateSystem.Missing",
        "detection_range_bearing",
        "detection_report.range_bearing.coordinate_system",
        _CLEAR,
        "missing_field",
    ),
    (
        "0019.RangeBearing.Datum.Missing",
        "detection_range_bearing",
        "detection_report.range_bearing.datum",
        _CLEAR,
        "missing_field",
    ),
    (
        "0020.LocationList.Locations.Empty",
        "task_patrol",
        "task.command.patrol.locations",
        [],
        "missing_field",
    ),
    (
        "0024.Registration.NodeDefinition.Missing",
        "registration_small",
        "registration.node_definition",
        [],
        "missing_field",
    ),
    (
        "0027.Registration.IcdVersion.Missing",
        "registration_small",
        "registration.icd_version",
        _CLEAR,
        "missing_field",
    ),
    (
        "0028.Registration.IcdVersion.Wrong",
        "registration_small",
        "registration.icd_version",
        "BSI Flex 335 v1.0",
        "bad_version",
    ),
    (
        "0029.Registration.Capabilities.Missing",
        "registration_small",
        "registration.capabilities",
        [],
        "missing_field",
    ),
    (
        "0035.Registration.StatusDefinition.LocationDefinition.Error",
        "registration_full",
        "registration.status_definition.location_definition.location_datum",
        _CLEAR,
        "missing_field",
    ),
    (
        "0047.ConfigurationData.Manufacturer",
        "registration_full",
        "registration.config_data[0].manufacturer",
        "",
        "missing_field",
    ),
    (
        "0074.TaskDefinition.ConcurrentTasks",
        "registration_full",
        "registration.mode_definition[0].task.concurrent_tasks",
        _CLEAR,
        "missing_field",
    ),
    (
        "TaskDefinition.ConcurrentTasks.Negative",
        "registration_full",
        "registration.mode_definition[0].task.concurrent_tasks",
        -1,
        "out_of_range",
    ),
    (
        "0079.RegionDefinition.SettleTime.Error",
        "registration_full",
        "registration.mode_definition[0].task.region_definition.settle_time.value",
        -5.0,
        "out_of_range",
    ),
    (
        "0096.DependantNodes.Error",
        "registration_full",
        "registration.dependent_nodes",
        ["node 7"],
        "bad_id",
    ),
    (
        "0097.Acceptance.Missing",
        "registration_ack_accepted",
        "registration_ack.acceptance",
        _CLEAR,
        "missing_field",
    ),
    (
        "0099.StatusReport.System.Missing",
        "status_report_goodbye",
        "status_report.system",
        _CLEAR,
        "missing_field",
    ),
    (
        "0102.StatusReport.NodeLocation.Error",
        "status_report_full",
        "status_report.node_location.datum",
        _CLEAR,
        "missing_field",
    ),
    (
        "0129.DerivedDetection.Timestamp.Missing",
        "detection_location_full",
        "detection_report.derived_detection[0].timestamp",
        _CLEAR,
        "missing_field",
    ),
    # 0171.Error.ErrorMessage.Empty (an empty list) is the same bytes on the wire as 0170.
    ("0170.Error.ErrorMessage.Missing", "error_full", "error.error_message", [], "missing_field"),
    (
        "DetectionReport.Confidence.Range",
        "detection_range_bearing",
        "detection_report.detection_confidence",
        1.5,
        "out_of_range",
    ),
    (
        "DetectionReport.SubClass.Level.Missing",
        "detection_location_full",
        "detection_report.classification[0].sub_class[0].level",
        _CLEAR,
        "missing_field",
    ),
    (
        "DetectionReport.SubClass.Confidence.Range",
        "detection_location_full",
        "detection_report.classification[0].sub_class[0].confidence",
        -0.1,
        "out_of_range",
    ),
    ("Alert.Ranking.Range", "alert_full", "alert.ranking", 2.0, "out_of_range"),
    ("Alert.Confidence.Range", "alert_full", "alert.confidence", -1.0, "out_of_range"),
    (
        "StatusReport.Power.Level.Range",
        "status_report_full",
        "status_report.power.level",
        101,
        "out_of_range",
    ),
    (
        "Location.Latitude.Range",
        "detection_location_full",
        "detection_report.location.y",
        91.0,
        "out_of_range",
    ),
    (
        "Location.Longitude.Range",
        "detection_location_full",
        "detection_report.location.x",
        -181.0,
        "out_of_range",
    ),
    (
        "Location.Error.Negative",
        "detection_location_full",
        "detection_report.location.x_error",
        -5.0,
        "out_of_range",
    ),
    (
        "Location.NaN",
        "detection_location_full",
        "detection_report.location.z",
        math.nan,
        "out_of_range",
    ),
    (
        "Location.UtmZone.Error",
        "detection_utm",
        "detection_report.location.utm_zone",
        "99Q",
        "out_of_range",
    ),
    (
        "Location.Utm.Easting.Range",
        "detection_utm",
        "detection_report.location.x",
        -3.0,
        "out_of_range",
    ),
    (
        "RangeBearing.Range.Negative",
        "detection_range_bearing",
        "detection_report.range_bearing.range",
        -1.0,
        "out_of_range",
    ),
    (
        "RangeBearing.Elevation.Range",
        "detection_range_bearing",
        "detection_report.range_bearing.elevation",
        95.0,
        "out_of_range",
    ),
    (
        "RangeBearing.Radians.Azimuth.Range",
        "detection_bearing_radians",
        "detection_report.range_bearing.azimuth",
        7.0,
        "out_of_range",
    ),
    (
        "ENUVelocity.Error.Negative",
        "detection_location_full",
        "detection_report.enu_velocity.up_rate_error",
        -1.0,
        "out_of_range",
    ),
    (
        "ENUVelocity.EastRate.Infinite",
        "detection_location_full",
        "detection_report.enu_velocity.east_rate",
        math.inf,
        "out_of_range",
    ),
]


@pytest.mark.parametrize(
    ("case", "base", "path", "value", "reason"), HARNESS_FALSE, ids=[c[0] for c in HARNESS_FALSE]
)
def test_harness_false_case_is_rejected(
    case: str, base: str, path: str, value: object, reason: str
) -> None:
    message = independent.corpus(base)
    _set(path, value)(message)
    error = _reject(message)
    assert error.reason is Reason(reason), str(error)
    assert error.field.startswith(path.rpartition(".")[0]), str(error)  # at or under the parent


# --- raw wire bytes, written without any protobuf library ---------------------------------------

NODE = "a8654cdf-4328-47de-81fa-c495589e30c8"


def _wire_detection(extra: Callable[[Wire], Wire] = lambda w: w) -> Wire:
    """SapientMessage{timestamp=1, node_id=2, detection_report=7{report_id=1, object_id=2,
    location=6{x=1, y=2, z=3, coordinate_system=7, datum=8}}} per the .proto field numbers."""
    location = Wire().double(1, 21.5).double(2, 52.25).double(3, 120.0).int(7, 1).int(8, 1)
    report = (
        Wire()
        .bytes(1, "01GGYFBAXGDG7AGAHRZ6XSNY12")
        .bytes(2, "01GGYFBAXH4VYRQYEX7S3XGK3H")
        .bytes(6, location)
        .float(7, 0.75)
    )
    report = extra(report)
    return (
        Wire().bytes(1, Wire().int(1, 1_759_429_800).int(2, 5000)).bytes(2, NODE).bytes(7, report)
    )


def test_a_detection_written_byte_by_byte_is_decoded_to_its_values() -> None:
    message = decode(bytes(_wire_detection().data))
    assert not isinstance(message, SapientError), str(message)
    location = message.detection_report.location
    assert (location.x, location.y, location.z) == (21.5, 52.25, 120.0)
    assert message.timestamp.seconds == 1_759_429_800
    assert message.detection_report.detection_confidence == 0.75


def test_fields_that_v2_does_not_define_are_rejected() -> None:
    # 99: never defined; 17: RYPVelocity, reserved since v7 (detection_report.proto).
    for number in (99, 17):
        error = _reject(bytes(_wire_detection(lambda w, n=number: w.int(n, 1)).data))
        assert error.reason is Reason.UNKNOWN_FIELD
        assert error.field == "detection_report"


@pytest.mark.parametrize(
    "payload",
    [
        b"\x0a\x05\x08\x01",  # a length running past the end
        b"\x12\x02\xff\xfe",  # node_id that is not UTF-8
        b"\x0f",  # wire type 7 does not exist
        b"\x0a\x80",  # a varint cut short
        b"\x00\x00",  # field number 0
    ],
)
def test_bytes_that_are_not_a_protobuf_message_are_rejected(payload: bytes) -> None:
    error = _reject(payload)
    assert error.reason is Reason.NOT_PROTOBUF
    assert error.value == payload
