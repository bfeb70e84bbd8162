import pytest

from classifier.actors import Actor, ActorTable


@pytest.fixture(scope="module")
def table():
    return ActorTable.load()


def test_bundled_table_is_large_and_unambiguous(table):
    ids = {actor.id for actor in table.by_alias.values()}
    assert len(ids) >= 250
    assert table.resolve("Russian Federation") == table.resolve("Moscow") == table.resolve("the Kremlin")


@pytest.mark.parametrize(
    ("speaker", "role", "expected"),
    [
        ("Baku", "", ("Azerbaijan", "government", "AZE")),
        ("Yerevan", "", ("Armenia", "government", "ARM")),
        ("Kyiv", "", ("Ukraine", "government", "UKR")),
        ("Washington", "", ("United States", "government", "USA")),
        ("UN Security Council", "", ("UN Security Council", "international_organisation", None)),
        ("African Union", "", ("African Union", "regional_organisation", None)),
        ("Hamas", "", ("Hamas", "armed_group", "PSE")),
        ("Mevlut Cavusoglu", "Turkish Foreign Minister", ("Mevlut Cavusoglu", "person", "TUR")),
        ("Mike Pompeo", "US Secretary of State", ("Mike Pompeo", "person", "USA")),
    ],
)
def test_speakers_resolve_to_canonical_actors(table, speaker, role, expected):
    actor = table.resolve(speaker, role)
    assert (actor.id, actor.type, actor.country) == expected


def test_unknown_names_stay_unresolved_unless_taken_for_a_person(table):
    assert table.resolve("Nagorno-Karabakh") is None
    assert table.resolve("Jane Doe", person=True) == Actor("Jane Doe", "person", None, None)


def test_user_tables_are_checked_with_file_and_line(tmp_path):
    path = tmp_path / "actors.tsv"
    path.write_text("id\ttype\tcountry\torg\taliases\nX\tplanet\t\t\tX\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"actors.tsv:2: type: unknown 'planet'"):
        ActorTable.load(path)
    path.write_text("id\ttype\tcountry\torg\taliases\nMars Republic\tgovernment\tMARS\t\tMars\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"actors.tsv:2: country: expected an ISO 3166-1 alpha-3 code"):
        ActorTable.load(path)
    path.write_text(
        "id\ttype\tcountry\torg\taliases\nMars Republic\tgovernment\tMRS\t\tMars|Red Planet\n", encoding="utf-8"
    )
    assert ActorTable.load(path).resolve("Red Planet").id == "Mars Republic"


def test_dotted_acronyms_and_owned_bodies_resolve():
    table = ActorTable.load()
    assert table.resolve("U.N. Security Council").id == "UN Security Council"
    assert table.resolve("U.S").country == "USA"
    # a body with no row of its own speaks for its state; a person's title does not make them the state
    assert table.resolve("Mali's military authorities").id == "Mali"
    assert table.resolve("Azawad Liberation Front").type == "armed_group"


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("EU foreign policy chief", "European Union"),
        ("The European Union's foreign policy chief", "European Union"),
        ("Belgrade.\n\nEU foreign policy chief", "European Union"),  # a title read across a paragraph break
        ("the RPF's military commander", "Rwandan Patriotic Front"),
        ("head of the ICRC delegation", "ICRC"),
        ("the head of the Ukrainian delegation", "Ukraine"),
        ("head of the UN Mission in South Sudan (UNMISS)", "UNMISS"),
        ("Ugandan army chief", "Uganda"),
        # leaders speak in their own name: a head of government, a party or movement leader, a parliament's chair
        ("GNA chief", None),
        ("TPLF chairman", None),
        ("the chairman of the Tajik parliament", None),
        ("head of state", None),
        ("Rebel delegation head", None),
    ],
)
def test_the_head_of_a_bodys_arm_mission_or_delegation_speaks_for_the_body(table, role, expected):
    assert table.principal("Jane Roe", role) == expected
