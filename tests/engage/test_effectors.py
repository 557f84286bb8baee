"""The effector catalogue: every figure sourced, sane envelopes, and bad files named clearly."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from dronewall.core.errors import ConfigError
from dronewall.core.types import ObjectKind
from dronewall.engage.effectors import (
    SOURCE_KEYS,
    Effect,
    EffectorCatalogue,
    EffectorKind,
    load_effectors,
    parse_effectors,
)

GOOD = """
[[effector]]
id = "gun-a"
name = "A gun"
kind = "gun"
effect = "kinetic"
min_range_m = 100
max_range_m = 4000
max_altitude_m = 3000
speed_mps = 900
reaction_s = 10
magazine = 10
reload_s = 600
cost_per_shot_eur = 3700
collateral = "debris"
[effector.pk]
one_way_attack = 0.7
decoy = 0.75
quadcopter = 0.6
recon_fixed_wing = 0.7
[effector.source]
envelope = "a public page, https://example.org/gun"
speed = "a public page, https://example.org/gun"
reaction = "estimate: radar-slaved gun"
pk = "estimate: not published"
cost = "a public page, https://example.org/gun"
magazine = "estimate: ten bursts"
"""


# A URL, a web site, the shared reference note, the ECB, or a fact of physics.
_CITED = re.compile(
    r"https?://|[\w-]+\.(com|de|at|ro|pl|org|uk|ua|net|hu|it|fr|be)\b|ref §|reference/|ECB"
    r"|radio waves|no magazine"
)


@pytest.fixture(scope="module")
def catalogue() -> EffectorCatalogue:
    return load_effectors()


def test_packaged_catalogue_covers_every_kind_of_effector(catalogue: EffectorCatalogue) -> None:
    kinds = {effector.kind for effector in catalogue.types.values()}
    assert kinds == set(EffectorKind)
    assert len(catalogue.types) >= 15


def test_every_packaged_figure_has_a_source_or_says_it_is_an_estimate(
    catalogue: EffectorCatalogue,
) -> None:
    for effector in catalogue.types.values():
        assert set(effector.sources) == set(SOURCE_KEYS)
        for key, text in effector.sources.items():
            cited = _CITED.search(text)
            assert cited or "estimate" in text, (effector.id, key, text)


def test_packaged_envelopes_and_prices_are_physical(catalogue: EffectorCatalogue) -> None:
    for effector in catalogue.types.values():
        assert 0 <= effector.min_range_m < effector.max_range_m
        assert 0 <= effector.min_altitude_m < effector.max_altitude_m
        assert effector.speed_mps > 0 and effector.reaction_s >= 0
        assert all(0 <= p <= 1 for p in effector.pk_by_kind.values())
        if effector.effect is Effect.RF:
            assert effector.cost_per_shot_eur < 100 and effector.magazine == 0
    # the cost-exchange lesson: an interceptor drone costs a small fraction of a missile
    sting, stinger = catalogue.get("interceptor-drone-sting"), catalogue.get("manpads-stinger")
    assert sting.cost_per_shot_eur * 50 < stinger.cost_per_shot_eur


def test_a_jammer_does_nothing_to_a_preprogrammed_one_way_attack_drone(
    catalogue: EffectorCatalogue,
) -> None:
    jammer = catalogue.get("rf-jammer-vehicle")
    assert jammer.pk(ObjectKind.ONE_WAY_ATTACK) == 0.0
    assert ObjectKind.ONE_WAY_ATTACK not in jammer.works_on()
    assert ObjectKind.QUADCOPTER in jammer.works_on()
    assert "pre-programmed" in jammer.sources["pk"]


def test_unknown_drone_kind_gets_the_lowest_kill_probability(
    catalogue: EffectorCatalogue,
) -> None:
    gun = catalogue.get("skynex-35-ahead")
    assert gun.pk(0) == min(gun.pk_by_kind.values()) == gun.pk(ObjectKind.QUADCOPTER)
    table = catalogue.pk_table(["skynex-35-ahead", "rf-jammer-vehicle"])
    assert table.shape == (2, 5)
    assert table[1, ObjectKind.ONE_WAY_ATTACK] == 0.0 and table[0, 0] == gun.pk(0)


def test_a_good_file_parses() -> None:
    gun = parse_effectors(GOOD, "e.toml").get("gun-a")
    assert gun.kind is EffectorKind.GUN and gun.kinetic and gun.max_range_m == 4000


@pytest.mark.parametrize(
    ("old", "new", "field", "line", "words"),
    [
        ("max_range_m = 4000", "max_range_m = 50", "effector[0]", 2, "min_range_m must be below"),
        ("decoy = 0.75", "decoy = 1.5", "effector[0].pk.decoy", 18, "less than or equal to 1"),
        ('kind = "gun"', 'kind = "laser"', "effector[0].kind", 5, "Input should be"),
        ('magazine = "estimate: ten bursts"\n', "", "effector[0].source.magazine", 21, "Field req"),
        ("speed_mps = 900", "speed_mps = inf", "effector[0]", 2, "finite speed_mps"),
        ("reload_s = 600", "reload_s = 600\ncolour = 1", "effector[0].colour", 14, "Extra inputs"),
    ],
)
def test_bad_files_name_the_file_field_and_line(
    old: str, new: str, field: str, line: int, words: str
) -> None:
    assert old in GOOD
    with pytest.raises(ConfigError) as caught:
        parse_effectors(GOOD.replace(old, new), "e.toml")
    error = caught.value
    assert (error.field, error.line) == (field, line)
    assert words in str(error) and str(error).startswith(f"e.toml:{line}: {field}: ")


def test_duplicate_ids_and_unknown_types_are_named() -> None:
    with pytest.raises(ConfigError, match=r"e.toml:30: effector\[1\].id: duplicate id 'gun-a'"):
        parse_effectors(GOOD + GOOD, "e.toml")
    with pytest.raises(ConfigError, match=r"unknown effector type 'nope'.*known: gun-a"):
        parse_effectors(GOOD).get("nope")


def test_an_rf_effector_leaves_no_debris() -> None:
    text = GOOD.replace('effect = "kinetic"', 'effect = "rf"')
    with pytest.raises(ConfigError, match="RF effector has collateral"):
        parse_effectors(text, "e.toml")


def test_not_toml_and_missing_file_are_one_line_errors(tmp_path) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ConfigError, match=r"^e.toml:1: not valid TOML"):
        parse_effectors("[[effector]\n", "e.toml")
    with pytest.raises(ConfigError, match="cannot read file"):
        load_effectors(tmp_path / "missing.toml")


def test_the_table_in_the_docs_is_the_packaged_catalogue(catalogue: EffectorCatalogue) -> None:
    docs = Path(__file__).parents[2] / "docs" / "effectors.md"
    rows = [
        line for line in docs.read_text(encoding="utf-8").splitlines() if line.startswith("| `")
    ]
    cells_of = {row.split("`")[1]: [cell.strip() for cell in row.split("|")[1:-1]] for row in rows}
    table = {key: cells for key, cells in cells_of.items() if len(cells) == 10}  # the big table
    assert list(table) == list(catalogue.types)
    for type_id, cells in table.items():
        effector = catalogue.get(type_id)
        low, high = (float(x) * 1000 for x in cells[2].split("–"))
        assert (low, high) == (effector.min_range_m, effector.max_range_m), type_id
        assert float(cells[5]) == effector.reaction_s, type_id
        pks = [float(x) for x in cells[6].split(" / ")]
        assert pks == list(effector.pk_by_kind.values()), type_id
        assert float(cells[7].replace(",", "")) == effector.cost_per_shot_eur, type_id
