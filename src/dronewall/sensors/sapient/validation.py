"""Validation of SAPIENT messages against the BSI Flex 335 v2.0 interface control document.

Three kinds of rule:

1. **The .proto annotations** Dstl ships with the ICD (``sapient_msg/proto_options.proto``):
   ``is_mandatory`` on fields and oneofs, ``is_uuid`` / ``is_ulid`` on identifiers. They are
   read from the message descriptors once per message type, so every message type and every
   nested type is covered without a hand-written list — plus the three fields Dstl's harness
   requires that the annotations miss (``ranges.EXTRA_MANDATORY_FIELDS``: ``Error.error_message``
   and two more).
2. **Enumerations**: every value defined, a mandatory one not ``UNSPECIFIED`` (as Dstl's test
   harness checks, ``SapientServices/Data/Validation/*.cs``); every float finite.
3. **Ranges and units** the ICD states in prose (``ranges.py``): the ICD version string,
   confidences in [0, 1], latitudes within ±90°, errors and ranges not negative, valid
   timestamps, UUIDs of dependent nodes.

A mandatory field is missing when it is unset, or — for strings and repeated fields — empty.
Fields that v2.0 does not define (unknown fields) are rejected: a conformant node sends none.
``check(message)`` raises ``SapientError`` naming the reason and the dotted field path.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import cast

import google.protobuf.unknown_fields as unknown_fields
from google.protobuf.descriptor import Descriptor, FieldDescriptor
from google.protobuf.message import Message

from dronewall.sensors.sapient.binding import (
    FIELD_OPTIONS,
    ONEOF_OPTIONS,
    SapientMessage,
)
from dronewall.sensors.sapient.ids import is_ulid, is_uuid
from dronewall.sensors.sapient.ranges import (
    EXTRA_MANDATORY_FIELDS,
    EXTRA_UUID_FIELDS,
    MESSAGE_CHECKS,
    TIMESTAMP,
    VALUE_CHECKS,
    Invalid,
    check_timestamp,
)
from dronewall.sensors.sapient.rejects import Reason, SapientError

_PACKAGE = "sapient_msg.bsi_flex_335_v2_0."
_FLOATS = (FieldDescriptor.TYPE_DOUBLE, FieldDescriptor.TYPE_FLOAT)


def check(message: Message) -> None:
    """Raise ``SapientError`` if ``message`` breaks the ICD; return quietly if it conforms."""
    try:
        if _has_unknown_fields(message):
            _locate_unknown_fields(message)
        _check_message(message)
    except Invalid as bad:
        raise SapientError(bad.reason, bad.message, bad.value, _join(bad.path)) from None


def _join(parts: list[str]) -> str:
    """``["a", "[2]", "b"]`` → ``"a[2].b"``."""
    text = ""
    for part in parts:
        text += part if part.startswith("[") or not text else f".{part}"
    return text


def mandatory_fields() -> set[tuple[str, str]]:
    """(message, field) for every field the ICD makes mandatory, message names relative to the
    v2.0 package (``Registration.SubClass``): what the validator enforces, for tests and docs."""
    found: set[tuple[str, str]] = set()
    for descriptor in _all_descriptors(cast(Descriptor, SapientMessage.DESCRIPTOR)):
        name = descriptor.full_name.removeprefix(_PACKAGE)
        found.update((name, rule.name) for rule in _rules(descriptor).mandatory)
    return found


def mandatory_oneofs() -> set[tuple[str, str]]:
    """(message, oneof) for every oneof the ICD marks mandatory."""
    found: set[tuple[str, str]] = set()
    for descriptor in _all_descriptors(cast(Descriptor, SapientMessage.DESCRIPTOR)):
        name = descriptor.full_name.removeprefix(_PACKAGE)
        found.update((name, oneof) for oneof in _rules(descriptor).mandatory_oneofs)
    return found


# --- the walk ------------------------------------------------------------------------------


def _check_message(message: Message) -> None:
    rules = _RULES.get(message.DESCRIPTOR.full_name) or _rules(cast(Descriptor, message.DESCRIPTOR))
    if rules.leaf is not None:  # a well-known type checked directly (Timestamp)
        rules.leaf(message)
        return
    # ListFields gives only the fields that are set (one C call), so absent optional fields
    # cost nothing; mandatory ones are counted, and only looked for when one is missing.
    mandatory_seen = 0
    for descriptor, value in message.ListFields():
        name = descriptor.name
        mandatory, check = rules.by_name[name]
        if mandatory:
            if value == "" or value == b"":  # set, but empty: no better than missing
                raise Invalid(Reason.MISSING_FIELD, "mandatory value is empty", value, name)
            mandatory_seen += 1
        if check is not None:
            try:
                check(value)
            except Invalid as bad:
                bad.path.insert(0, name)
                raise
    if mandatory_seen < len(rules.mandatory_names):
        present = {descriptor.name for descriptor, _ in message.ListFields()}
        missing = next(n for n in rules.mandatory_names if n not in present)
        raise Invalid(Reason.MISSING_FIELD, "mandatory field is missing", None, missing)
    for oneof in rules.mandatory_oneofs:
        if message.WhichOneof(oneof) is None:
            raise Invalid(Reason.MISSING_FIELD, "one of its fields must be set", None, oneof)
    if rules.extra is not None:
        rules.extra(message)


def _has_unknown_fields(message: Message) -> bool:
    """Whether any (nested) message holds fields v2.0 does not define: discarding them from a
    copy changes the encoded size exactly when there are some. One C-level pass, where asking
    every sub-message for its unknown fields costs microseconds each."""
    size = message.ByteSize()
    probe = type(message)()
    probe.CopyFrom(message)
    probe.DiscardUnknownFields()  # type: ignore[attr-defined]  # missing from the stubs
    return probe.ByteSize() != size


def _locate_unknown_fields(message: Message) -> None:
    """Raise ``Invalid`` at the first message holding unknown fields (the slow search)."""
    if len(unknown_fields.UnknownFieldSet(message)):
        raise Invalid(Reason.UNKNOWN_FIELD, "fields not defined by BSI Flex 335 v2.0", None, "")
    for descriptor, value in message.ListFields():
        if descriptor.message_type is None:
            continue
        children = value if descriptor.is_repeated else [value]
        for index, child in enumerate(children):
            try:
                _locate_unknown_fields(child)
            except Invalid as bad:
                if descriptor.is_repeated:
                    bad.path.insert(0, f"[{index}]")
                bad.path.insert(0, descriptor.name)
                raise


def _each(check: Callable[[object], None]) -> Callable[[object], None]:
    def check_items(values: object) -> None:
        for index, item in enumerate(cast(Iterable[object], values)):
            try:
                check(item)
            except Invalid as bad:
                bad.path.insert(0, f"[{index}]")
                raise

    return check_items


def _all_of(checks: list[Callable[[object], None]]) -> Callable[[object], None]:
    if len(checks) == 1:
        return checks[0]

    def check_all(value: object) -> None:
        for check in checks:
            check(value)

    return check_all


def _finite(value: object) -> None:
    if not math.isfinite(cast(float, value)):
        raise Invalid(Reason.OUT_OF_RANGE, "not a finite number", value, "")


def _enum_check(name: str, values: frozenset[int], mandatory: bool) -> Callable[[object], None]:
    def check_enum(value: object) -> None:
        if value not in values:
            raise Invalid(Reason.BAD_ENUM, f"{value} is not a defined {name}", value, "")
        if mandatory and value == 0:
            raise Invalid(Reason.BAD_ENUM, f"mandatory {name} is UNSPECIFIED", value, "")

    return check_enum


def _id_check(kind: str, valid: Callable[[str], bool]) -> Callable[[object], None]:
    def check_id(value: object) -> None:
        if value != "" and not valid(cast(str, value)):
            raise Invalid(Reason.BAD_ID, f"not a valid {kind}", value, "")

    return check_id


def _check_any_message(value: object) -> None:
    _check_message(cast(Message, value))


# --- rules compiled from descriptors -------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _FieldRule:
    name: str
    mandatory: bool
    check: Callable[[object], None] | None  # raises Invalid; None when nothing to check


@dataclass(frozen=True, slots=True)
class _MessageRules:
    fields: dict[str, _FieldRule] = field(default_factory=dict)
    by_name: dict[str, tuple[bool, Callable[[object], None] | None]] = field(default_factory=dict)
    mandatory_names: tuple[str, ...] = ()  # in field order
    mandatory_oneofs: tuple[str, ...] = ()
    extra: Callable[[Message], None] | None = None
    leaf: Callable[[Message], None] | None = None  # replaces the field walk entirely

    @property
    def mandatory(self) -> list[_FieldRule]:
        return [rule for rule in self.fields.values() if rule.mandatory]


_RULES: dict[str, _MessageRules] = {}  # by message full name: a dict is the fastest lookup


def _rules(descriptor: Descriptor) -> _MessageRules:
    if (known := _RULES.get(descriptor.full_name)) is not None:
        return known
    rules = {fd.name: _field_rule(fd) for fd in descriptor.fields}
    oneofs = tuple(
        o.name for o in descriptor.oneofs if _option(o.GetOptions(), ONEOF_OPTIONS, "is_mandatory")
    )
    short = descriptor.full_name.removeprefix(_PACKAGE)
    compiled = _RULES[descriptor.full_name] = _MessageRules(
        fields=rules,
        by_name={r.name: (r.mandatory, r.check) for r in rules.values()},
        mandatory_names=tuple(r.name for r in rules.values() if r.mandatory),
        mandatory_oneofs=oneofs,
        extra=MESSAGE_CHECKS.get(short),
        leaf=check_timestamp if short == TIMESTAMP else None,
    )
    return compiled


def _field_rule(fd: FieldDescriptor) -> _FieldRule:
    options = fd.GetOptions()
    key = f"{fd.containing_type.full_name.removeprefix(_PACKAGE)}.{fd.name}"
    mandatory = _option(options, FIELD_OPTIONS, "is_mandatory") or key in EXTRA_MANDATORY_FIELDS
    checks: list[Callable[[object], None]] = []
    if fd.message_type is not None:
        checks.append(_check_any_message)
    if fd.enum_type is not None:
        values = frozenset(v.number for v in fd.enum_type.values)
        checks.append(_enum_check(fd.enum_type.name, values, mandatory))
    if fd.type in _FLOATS and key not in VALUE_CHECKS:  # a range check is finite-only too
        checks.append(_finite)
    if _option(options, FIELD_OPTIONS, "is_uuid") or key in EXTRA_UUID_FIELDS:
        checks.append(_id_check("UUID", is_uuid))
    elif _option(options, FIELD_OPTIONS, "is_ulid"):
        checks.append(_id_check("ULID", is_ulid))
    if key in VALUE_CHECKS:
        checks.append(VALUE_CHECKS[key])
    if not checks:
        return _FieldRule(fd.name, mandatory, None)
    check = _all_of(checks)
    return _FieldRule(fd.name, mandatory, _each(check) if fd.is_repeated else check)


def _option(options: Message, extension: object, name: str) -> bool:
    if not options.HasExtension(extension):  # type: ignore[arg-type]
        return False
    return bool(getattr(options.Extensions[extension], name))  # type: ignore[index]


def _all_descriptors(root: Descriptor) -> list[Descriptor]:
    seen: dict[str, Descriptor] = {}
    stack = [root]
    while stack:
        descriptor = stack.pop()
        if descriptor.full_name in seen:
            continue
        seen[descriptor.full_name] = descriptor
        stack.extend(fd.message_type for fd in descriptor.fields if fd.message_type is not None)
    return list(seen.values())
