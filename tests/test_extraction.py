from pathlib import Path

import pytest

from classifier.pipeline import ArticleScorer

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def finder():
    # ``find`` runs extraction and attribution only; the model is not needed for it.
    return ArticleScorer(model=None).find


def speakers(found):
    return [s["speaker"] for s in found]


def test_offsets_slice_the_article(finder):
    text = (ROOT / "examples" / "articles" / "ceasefire_talks.txt").read_text(encoding="utf-8")
    found = finder(text, "ceasefire_talks")
    assert found
    for statement in found:
        assert text[statement["start"] : statement["end"]] == statement["text"]
        mention = statement["speaker_mention"]
        assert text[mention["start"] : mention["end"]] == mention["text"]
    assert [s["statement_id"] for s in found][:2] == ["ceasefire_talks-1", "ceasefire_talks-2"]


def test_example_article_speakers(finder):
    text = (ROOT / "examples" / "articles" / "ceasefire_talks.txt").read_text(encoding="utf-8")
    found = finder(text)
    by_cue = {(s["speaker"], s["cue"]) for s in found}
    # the spokeswoman relays Pompeo's words: the statement is his
    assert ("Mike Pompeo", "stressed") in by_cue
    assert not any(s["speaker"] == "Morgan Ortagus" for s in found)
    # "he wrote on Twitter" after "the top US diplomat"
    tweet = next(s for s in found if s["cue"] == "wrote")
    assert tweet["speaker"] == "Mike Pompeo" and tweet["speaker_mention"]["text"] == "he"
    assert tweet["kind"] == "direct" and "Both must implement a ceasefire" in tweet["text"]
    # the demurral is a statement (with no stance for the model to find)
    assert ("Mike Pompeo", "declined") in by_cue
    # one statement per coordinated speaker, same span
    coordinated = [s for s in found if s["text"].startswith("Russia, France and the United States")]
    assert speakers(coordinated) == ["Russia", "France", "United States"]
    assert len({(s["start"], s["end"]) for s in coordinated}) == 1
    assert ("UN Security Council", "demand") in by_cue
    assert ("Turkey", "supported") in by_cue
    assert ("Ilham Aliyev", "said") in by_cue
    assert ("Nikol Pashinyan", "told a news conference") in by_cue
    # background narration is not a statement
    assert not any("The fighting began on Sept. 27" in s["text"] for s in found)
    assert not any(s["text"].startswith("The enclave is recognised") for s in found)


def test_split_quote_is_one_direct_statement_with_title_stripped(finder):
    text = '"We call on both sides," Foreign Minister Sergei Lavrov said on Monday, "to show restraint at once."'
    found = finder(text)
    assert len(found) == 1
    assert found[0]["speaker"] == "Sergei Lavrov"
    assert found[0]["speaker_mention"]["text"] == "Foreign Minister Sergei Lavrov"
    assert found[0]["kind"] == "direct"
    assert found[0]["text"] == text


def test_curly_quote_with_inverted_attribution(finder):
    text = "\u201cThe occupiers must leave our land now,\u201d said Azerbaijani President Ilham Aliyev."
    found = finder(text)
    assert speakers(found) == ["Ilham Aliyev"]


def test_quote_continuing_in_next_sentence_keeps_the_speaker(finder):
    text = 'Guterres said the violence had to stop. "The guns must fall silent now. Civilians are paying the price."'
    found = finder(text)
    assert speakers(found) == ["Guterres", "Guterres"]
    assert found[1]["kind"] == "direct" and found[1]["cue"] is None


def test_description_and_surname_resolve_to_the_named_speaker(finder):
    text = (
        "Turkish Foreign Minister Mevlut Cavusoglu arrived in Baku on Monday. "
        "The minister urged Armenia to pull back its forces. Cavusoglu later said talks were possible."
    )
    found = finder(text)
    assert speakers(found) == ["Mevlut Cavusoglu", "Mevlut Cavusoglu"]
    assert found[0]["speaker_mention"]["text"] == "The minister"


def test_pronoun_skips_a_speaker_of_the_wrong_gender(finder):
    text = (
        "Secretary of State Antony Blinken met the envoys. "
        "State Department spokeswoman Jalina Porter said he stressed the need for a truce."
    )
    assert speakers(finder(text)) == ["Antony Blinken"]


def test_narration_only_article_has_no_statements(finder):
    text = (
        "Fighting began on Sept. 27 and has killed more than 1,000 people.\n\n"
        "The region has been contested since the collapse of the Soviet Union. Shelling resumed at dawn."
    )
    assert finder(text) == []


@pytest.mark.parametrize(
    "text",
    [
        "",
        '"',
        '" "',
        "\u201d stray closer said he \u201c",
        'He said "',
        'The so-called "peace plan" was rejected. "',
        "\u00ab\u00ab\u00bb",
        "He said.\n\n\n",
        "Mr. . . . said said said",
    ],
)
def test_odd_input_never_crashes_and_offsets_hold(finder, text):
    for statement in finder(text):
        assert text[statement["start"] : statement["end"]] == statement["text"]


def test_scare_quotes_alone_are_not_statements(finder):
    text = 'The so-called "peace plan" was debated in parliament for a week.'
    assert finder(text) == []


def test_gaza_example_speakers_and_actors(finder):
    text = (ROOT / "examples" / "articles" / "gaza_pause.txt").read_text(encoding="utf-8")
    found = finder(text)
    pairs = [(s["speaker"], s["speaker_mention"]["text"]) for s in found]
    # a pronoun after a titled full name containing "Nations" still finds the person
    assert ("Antonio Guterres", "he") in pairs
    # "the group" goes back to the organisation that spoke last
    assert ("Hamas", "the group") in pairs
    # a lower-case name particle stays part of the name
    assert ("Majed al-Ansari", "he") in pairs
    # a place after "in" is not the speaker; unnamed groups of people are
    assert ("Residents", "Residents") in pairs
    assert not any(s["speaker"] in ("Khan Younis", "New York", "Gaza Strip") for s in found)
    # "according to Israeli figures" sources numbers; it is not a statement
    assert not any(s["cue"] == "according to" for s in found)
    hamas = next(s for s in found if s["speaker"] == "Hamas")
    assert hamas["actor"] == {"id": "Hamas", "type": "armed_group", "country": "PSE", "org": None}


def test_attributed_quote_is_not_handed_to_the_previous_speaker(finder):
    text = 'Hamas said the truce held. "We are grateful for a quiet day," one displaced father said.'
    assert [s["speaker"] for s in finder(text)] == ["Hamas", "one displaced father"]


def test_refusals_conditions_and_questions_are_flagged(finder):
    text = (ROOT / "examples" / "articles" / "ceasefire_talks.txt").read_text(encoding="utf-8")
    by_cue = {s["cue"]: s["polarity"] for s in finder(text)}
    assert by_cue["declined"] == "rejected"  # the demurral on brokering a ceasefire
    assert by_cue["told a news conference"] == "rejected"  # "talk of a ceasefire is premature"
    assert by_cue["called for"] == "asserted"
    conditional = [s for s in finder(text) if s["polarity"] == "conditional"]
    assert [s["speaker"] for s in conditional] == ["Nikol Pashinyan"]  # "only if international monitors ..."
    asked = finder('Asked whether Paris would send troops, the minister said: "We will see."')
    assert [s["polarity"] for s in asked] == ["question"]


def test_reporters_questions_are_their_statements_and_flagged(finder):
    text = (
        'U.S. Ambassador Mike Waltz said the vote was a turning point. "Will American soldiers be part of it?" '
        'a reporter asked him. "No," Waltz said.'
    )
    found = finder(text)
    assert [(s["speaker"], s["polarity"]) for s in found] == [
        ("Mike Waltz", "asserted"),
        ("reporter", "question"),
        ("Mike Waltz", "asserted"),
    ]
    # being asked is not asking
    asked = finder("Pompeo was asked whether Washington would mediate and said no.")
    assert [(s["speaker"], s["cue"]) for s in asked] == [("Pompeo", "said")]


def test_headline_and_dateline_are_not_speakers(finder):
    text = (
        "Russia vows to scale back near Kyiv\n\n"
        "MOSCOW, March 5 (Reuters) - Russian President Vladimir Putin and Turkish President Tayyip Erdogan said on "
        "Thursday they had agreed a ceasefire in Idlib."
    )
    found = finder(text)
    assert speakers(found) == ["Vladimir Putin", "Tayyip Erdogan"]
    # a single line with no full stop is an article, not a headline
    assert speakers(finder("Russia called for a ceasefire")) == ["Russia"]
    # a place with the agency alone, as Spanish wires write it
    text = (
        "Bogota (EFE).- The National Liberation Army (ELN) on Monday claimed responsibility for last week's car "
        "bombing of a police academy in Bogota and called on the president to return to the negotiating table."
    )
    assert speakers(finder(text)) == ["National Liberation Army"]


def test_colon_introduces_the_subjects_quote(finder):
    text = "Foreign Minister Nasser Bourita summed up Rabat's view: \u201cThis conflict has lasted fifty years.\u201d"
    found = finder(text)
    assert speakers(found) == ["Nasser Bourita"]
    assert found[0]["kind"] == "direct"


def test_one_statement_per_speaker_for_coordinated_verbs_and_repeated_pronouns(finder):
    found = finder("France and Germany condemned the use of force and urged Baku to guarantee their rights.")
    assert speakers(found) == ["France", "Germany"]
    found = finder(
        "Georgian President Mikheil Saakashvili accused Russia of breaking the ceasefire, and he insisted that "
        "every soldier leave."
    )
    assert speakers(found) == ["Mikheil Saakashvili"]
    found = finder("In a letter to French General Bernard Janvier, Mladic said his troops would move their guns.")
    assert speakers(found) == ["Mladic"]


def test_cue_words_that_are_not_speech(finder):
    assert finder("Mali, Burkina Faso and Niger recalled their ambassadors from Algeria on Sunday.") == []
    assert finder("Kosovo declared independence from Serbia in 2008.") == []
    assert finder("Government forces have bombed areas of Upper Nile and Jonglei states.") == []
    found = finder("Omar said the movement would fight for as long as Morocco denied Sahrawis a vote.")
    assert speakers(found) == ["Omar"]
    # inversion follows a quote or a comma: "said Kenya was ready" is Ruto's statement, not Kenya's
    found = finder("Kenyan President William Ruto said Kenya was ready to host a new round.")
    assert speakers(found) == ["William Ruto"]


def test_according_to_sources_counts_and_sentences_with_a_cue(finder):
    assert finder("More than 3,800 people have been killed in Lebanon, according to the health ministry.") == []
    found = finder("Mladic said his troops would pull back, according to U.N. officials.")
    assert speakers(found) == ["Mladic"]
    found = finder("Both sides must open the crossings, according to a statement from the U.N. humanitarian office.")
    assert [s["actor"]["id"] for s in found] == ["OCHA"]


def test_organisation_names_with_and_and_bodies_of_states(finder):
    found = finder("The African Union's Peace and Security Council called for an immediate de-escalation.")
    assert speakers(found) == ["Peace and Security Council"]
    assert found[0]["actor"]["id"] == "AU Peace and Security Council"
    found = finder("Russia and France called for calm.")
    assert speakers(found) == ["Russia", "France"]
    # a state the actor table spells with "and", and a body's name of the form "X of A and B", are one speaker
    found = finder("Bosnia and Herzegovina called for calm.")
    assert speakers(found) == ["Bosnia and Herzegovina"]
    found = finder("The Ministry of Foreign Affairs and International Cooperation said the truce must hold.")
    assert speakers(found) == ["Ministry of Foreign Affairs and International Cooperation"]
    found = finder("Foreign Affairs and East African Cooperation Minister Augustine Mahiga said talks would resume.")
    assert speakers(found) == ["Augustine Mahiga"]
    # a plural possessive inside a name does not end it
    found = finder("The Kurdistan Workers' Party (PKK) said it would observe the truce.")
    assert speakers(found) == ["Kurdistan Workers' Party"]
    assert found[0]["actor"]["id"] == "PKK"
    # a plural possessive owns a body as "'s" does, and the table's demonyms name a state's body
    found = finder("The Philippines' foreign ministry said the ship was rammed.")
    assert [(s["speaker"], s["on_behalf_of"]) for s in found] == [("Philippines' foreign ministry", "Philippines")]
    found = finder("The United States' envoy said talks would resume.")
    assert [s["on_behalf_of"] for s in found] == ["United States"]
    found = finder("The Philippine foreign ministry said the ship was rammed.")
    assert found[0]["actor"]["id"] == "Ministry of Foreign Affairs of the Philippines"
    # ... but a state or a known actor after "and" starts a list
    found = finder("The Ministry of Defence and Britain's foreign office said the strikes must stop.")
    assert speakers(found) == ["Ministry of Defence", "Britain's foreign office"]
    found = finder("Saudi Arabia's foreign ministry urged all parties to avoid escalation.")
    assert found[0]["actor"]["id"] == "Ministry of Foreign Affairs of Saudi Arabia"
    found = finder("Mali's military authorities vowed to break the blockade.")
    assert speakers(found) == ["Mali's military authorities"]
    assert found[0]["actor"]["id"] == "Mali"  # no row of its own: the state it belongs to
    found = finder("The Syrian foreign ministry said Damascus would respect the truce.")
    assert found[0]["actor"]["id"] == "Ministry of Foreign Affairs of Syria"


def test_spokespeople(finder):
    # an unnamed spokesperson speaks for the body
    found = finder("An LNA spokesman said the army was ready to defend Sirte.")
    assert found[0]["actor"]["id"] == "Libyan National Army"
    found = finder("An Israeli military spokesman said troops would not pull back.")
    assert found[0]["actor"]["id"] == "Israel Defense Forces"
    # a named spokesperson relaying a person: the principal's statement
    found = finder(
        "Stephane Dujarric, spokesman for UN Secretary-General Antonio Guterres, said Guterres hoped the agreement "
        "would hold."
    )
    assert speakers(found) == ["Antonio Guterres"]
    # ... but what a spokesperson says of a body stays theirs
    found = finder("M23 spokesman Lawrence Kanyuka said the group had not been invited to Luanda.")
    assert speakers(found) == ["Lawrence Kanyuka"]


def test_names_used_the_local_way_and_numbered_resolutions(finder):
    text = (
        "Ethiopian Prime Minister Abiy Ahmed met the envoys. Abiy said the government was committed to the deal. "
        "Egyptian President Abdel Fattah al-Sisi spoke later. Sisi said Egypt would act. "
        "Resolution 1701 calls for a full cessation of hostilities."
    )
    assert speakers(finder(text)) == ["Abiy Ahmed", "Abdel Fattah al-Sisi", "UN Security Council"]


def test_pronoun_continues_the_last_person_speaking_or_the_one_asked(finder):
    text = (
        "African Union chairman Cyril Ramaphosa, South Africa's president, said talks must begin.\n\n"
        '"Africa must help Ethiopians find their own way," he said.\n\n'
        '"Will the mission verify a ceasefire?" a journalist asked Carlos Ruiz Massieu after the vote.\n\n'
        "He said it would do so only if both parties requested it."
    )
    assert speakers(finder(text)) == ["Cyril Ramaphosa", "Cyril Ramaphosa", "reporter", "Carlos Ruiz Massieu"]


def test_doubled_apostrophes_are_quotation_marks_but_contractions_are_not(finder):
    from classifier.extract.segment import find_quotes

    text = "''We will not withdraw,'' Defence Minister Omar Khalid said. It's the ''final'' offer, don''t ask."
    assert [text[q.inner_start : q.inner_end] for q in find_quotes(text)] == ["We will not withdraw,", "final"]
    (statement,) = finder(text.split(" It's")[0])
    assert (statement["kind"], statement["speaker"]) == ("direct", "Omar Khalid")


def test_a_long_speaker_description_after_a_quotation_keeps_it_direct_and_a_doubled_quote_continues_it(finder):
    text = (
        "''The shelling stopped for the first time in weeks, and people came out to buy bread,'' said Amina Idris, "
        "the head of a Khartoum relief committee and a former health ministry official. ''Now we need the roads "
        "open. The trucks are waiting at the border.''\n\nFighting has cut the main road since March."
    )
    found = finder(text)
    assert [(s["kind"], s["speaker"]) for s in found] == [("direct", "Amina Idris"), ("direct", "Amina Idris")]
    assert found[1]["text"].startswith("''Now we need")


def test_a_paraphrase_after_the_described_speaker_stays_mixed(finder):
    text = (
        '"The shelling stopped for the first time in weeks," said Amina Idris, the head of a relief committee, '
        "adding that the government had still not opened the roads to the convoys waiting at the border."
    )
    (statement,) = finder(text)
    assert statement["kind"] == "mixed"


def test_a_quoted_nickname_inside_a_name_stays_in_the_mention_and_out_of_the_name(finder):
    text = 'The gang leader Jimmy "Barbecue" Cherizier said the armed groups would not recognise the council.'
    (statement,) = finder(text)
    assert statement["speaker"] == "Jimmy Cherizier"
    assert statement["speaker_mention"]["text"] == 'Jimmy "Barbecue" Cherizier'


def test_an_age_with_a_nationality_and_a_title_is_one_description(finder):
    text = (
        "IAEA chief Rafael Grossi said inspectors were ready.\n\n"
        '"We need to be there soon," the 60-year-old Argentine diplomat said in an interview.'
    )
    found = finder(text)
    assert found[-1]["speaker_mention"]["text"] == "the 60-year-old Argentine diplomat"
    assert found[-1]["speaker"] == "Rafael Grossi"


def test_envoys_speak_for_who_sends_them(finder):
    def rows(text):
        return [(s["speaker"], s["on_behalf_of"]) for s in finder(text)]

    # "envoy for <state>" and "ambassador to <body>" name the posting, not the principal
    found = finder("UN special envoy for Yemen Hans Grundberg said both sides had agreed to a truce.")
    assert [(s["speaker"], finder.__self__.actors.resolve(s["on_behalf_of"]).id) for s in found] == [
        ("Hans Grundberg", "United Nations")
    ]
    assert rows("Russia's ambassador to the UN, Vassily Nebenzia, said the draft was one-sided.") == [
        ("Vassily Nebenzia", "Russia")
    ]
    found = finder("U.S. Ambassador to the United Nations Linda Thomas-Greenfield said the council must act.")
    assert [s["speaker"] for s in found] == ["Linda Thomas-Greenfield"]
    assert found[0]["on_behalf_of"] in ("U.S.", "United States")
    # a spokesperson whose title names no body speaks, through the body, for its state; never for "A"
    assert rows("A spokesman for Russia's Defence Ministry said the strikes would continue.") == [
        ("Russia's Defence Ministry", "Russia")
    ]
    # a body named after its head's title
    assert rows("The Israeli Prime Minister's Office said in a statement that the army would hold its fire.") == [
        ("Israeli Prime Minister's Office", None)
    ]
    # a rank before the name is no title: the apposition before it says whom the officer speaks for
    assert rows("Israel's military spokesman, Lt. Col. Nadav Shoshani, said troops had returned fire.") == [
        ("Nadav Shoshani", "Israel")
    ]
    # the parser hangs the apposed name on the posting; the abbreviation's period does not end the title; a
    # region is a posting too
    assert rows("The United Nations envoy for Syria, Geir Pedersen, said the parties would meet again.") == [
        ("Geir Pedersen", "UN")
    ]
    assert rows("The U.N. envoy for Libya, Ghassan Salame, urged foreign powers to stop sending weapons.") == [
        ("Ghassan Salame", "UN")
    ]
    assert rows("Olusegun Obasanjo, the AU's envoy for the Horn of Africa, said both sides would disarm.") == [
        ("Olusegun Obasanjo", "African Union")
    ]


def test_a_nationality_is_not_read_off_an_envoys_posting(finder):
    # the UN "envoy for Syria" is no Syrian: "the Norwegian diplomat" can still be him
    text = (
        "The United Nations envoy for Syria, Geir Pedersen, said on Tuesday that the parties would meet again.\n\n"
        '"There is no military solution to this conflict," the Norwegian diplomat told reporters.'
    )
    assert speakers(finder(text)) == ["Geir Pedersen", "Geir Pedersen"]


@pytest.mark.parametrize(
    "second",
    [
        "Najib Mikati told reporters after the meeting that the army was ready to deploy.",
        '"We are ready to deploy the army," Najib Mikati told reporters after the meeting.',
        "Prime Minister Najib Mikati told reporters after the meeting that the army was ready to deploy.",
        "Najib Mikati, speaking after the meeting, said the army was ready to deploy.",
    ],
)
def test_a_ledes_title_is_the_person_the_next_paragraph_names(finder, second):
    # wire copy gives the subject's title in the lede and the name in the next paragraph
    text = (
        "BEIRUT, Oct 2 (AP) — Lebanon's caretaker prime minister on Wednesday urged the international community "
        "to press Israel to accept a ceasefire.\n\n" + second
    )
    assert speakers(finder(text)) == ["Najib Mikati", "Najib Mikati"]


def test_the_two_leaders_are_the_pair_named_together_last(finder):
    text = (
        "Chad's Idriss Deby and Sudan's Omar al-Bashir signed a pact in Dakar on Thursday. Senegalese President "
        "Abdoulaye Wade, who brokered the deal, called it a victory for Africa.\n\n"
        "In a joint declaration, the two presidents said they would set up a contact group."
    )
    assert speakers(finder(text))[-2:] == ["Idriss Deby", "Omar al-Bashir"]
