"""eval-extraction on a tiny brat-format corpus written here (PolNeAR itself is never needed by the tests)."""

import json

import pytest

from classifier.cli import main
from classifier.extract import SpeakerAttributor, StatementExtractor
from training.extraction_eval import _predicted_spans, evaluate_polnear, read_brat

TEXT = 'Turkey said it backed Baku. "We want talks," the envoy said. The poll shows Smith ahead.'


def span(part: str) -> str:
    start = TEXT.index(part)
    return f"{start} {start + len(part)}"


def write_corpus(root):
    (root / "test" / "text").mkdir(parents=True)
    (root / "test" / "attributions").mkdir(parents=True)
    (root / "metadata.tsv").write_text("filename\tannotators\nart\tx|y\n", encoding="utf-8")
    (root / "test" / "text" / "art.txt").write_text(TEXT, encoding="utf-8")
    ann = [
        f"T1\tSource {span('Turkey')}\tTurkey",
        f"T2\tCue {span('said it')[:0]}{TEXT.index('said')} {TEXT.index('said') + 4}\tsaid",
        f"T3\tContent {span('it backed Baku')}\tit backed Baku",
        "E1\tAttribution:T2 Source:T1 Cue:T2 Content:T3",
        f'T4\tContent {span(chr(34) + "We want talks," + chr(34))}\t"We want talks,"',
        f"T5\tSource {span('the envoy')}\tthe envoy",
        f"T6\tCue {span('envoy said')[:0]}{TEXT.index('envoy said') + 6} {TEXT.index('envoy said') + 10}\tsaid",
        "E2\tAttribution:T6 Source:T5 Cue:T6 Content:T4",
        f"T7\tSource {span('The poll')}\tThe poll",
        f"T8\tCue {span('shows')}\tshows",
        f"T9\tContent {span('Smith ahead')}\tSmith ahead",
        "E3\tAttribution:T8 Source:T7 Cue:T8 Content:T9",
    ]
    (root / "test" / "attributions" / "art_x.ann").write_text("\n".join(ann) + "\n", encoding="utf-8")
    # a second annotator's file, which must be ignored
    (root / "test" / "attributions" / "art_y.ann").write_text("", encoding="utf-8")


def test_brat_reader_keeps_roles(tmp_path):
    write_corpus(tmp_path)
    gold = read_brat(tmp_path / "test" / "attributions" / "art_x.ann")
    assert len(gold) == 3
    assert [g.speech for g in gold] == [True, True, False]  # "shows" is not a speech cue


def test_scores_on_a_known_article(tmp_path):
    write_corpus(tmp_path)
    report = evaluate_polnear(tmp_path, "test")
    assert report["articles"] == 1
    assert report["gold_attributions"] == {"all": 3, "speech": 2}
    # both speech attributions are found with the right source and content
    assert report["speech"]["source"]["exact"] == {"precision": 1.0, "recall": 1.0, "f1": 1.0}
    assert report["speech"]["content"]["exact"]["recall"] == 1.0
    # the poll result is an attribution the extractor does not report: recall over all attributions is 2/3
    assert report["all"]["content"]["overlap"]["recall"] == round(2 / 3, 4)


def test_cli(tmp_path, capsys):
    write_corpus(tmp_path)
    assert main(["eval-extraction", "--polnear", str(tmp_path), "--split", "test"]) == 0
    assert json.loads(capsys.readouterr().out)["polnear"]["articles"] == 1
    assert main(["eval-extraction", "--polnear", str(tmp_path / "missing")]) == 2
    assert "no PolNeAR split" in capsys.readouterr().err
    assert main(["eval-extraction"]) == 2
    assert "give --polnear PATH, --articles DIR, or both" in capsys.readouterr().err


def test_annotated_articles_are_scored(tmp_path):
    from training.extraction_eval import evaluate_articles

    article = (
        "Fighting resumed on Monday.\n\n"
        "Russia, France and the United States have called for a ceasefire.\n\n"
        '"We will defend our land," Azerbaijani President Ilham Aliyev said.'
    )
    (tmp_path / "a-1.txt").write_text(article, encoding="utf-8")
    statements = [
        {"text": "Russia, France and the United States have called for a ceasefire.", "speaker": speaker,
         "speaker_mention": speaker, "actor": speaker, "polarity": "asserted"}
        for speaker in ("Russia", "France", "United States")
    ] + [
        {"text": '"We will defend our land," Azerbaijani President Ilham Aliyev said.', "speaker": "Ilham Aliyev",
         "speaker_mention": "Azerbaijani President Ilham Aliyev", "actor": "Ilham Aliyev", "polarity": "asserted"},
        {"text": "Fighting resumed on Monday.", "speaker": "Nobody", "speaker_mention": "", "actor": None,
         "polarity": "asserted"},
    ]  # fmt: skip
    (tmp_path / "a-1.json").write_text(json.dumps({"id": "a-1", "statements": statements}), encoding="utf-8")
    report = evaluate_articles(tmp_path)
    assert report["gold_statements"] == 5 and report["predicted_statements"] == 4
    assert report["statement"]["precision"] == 1.0
    assert report["statement"]["recall"] == 0.8  # the invented narration "statement" is not found
    assert report["speaker_accuracy"] == 1.0 and report["actor_accuracy"] == 1.0


def test_eval_extraction_writes_the_mistakes(tmp_path):
    from classifier.cli import main

    article = 'Fighting resumed on Monday.\n\n"We will defend our land," Azerbaijani President Ilham Aliyev said.'
    (tmp_path / "a-3.txt").write_text(article, encoding="utf-8")
    statements = [
        {"text": '"We will defend our land," Azerbaijani President Ilham Aliyev said.', "speaker": "Nikol Pashinyan",
         "speaker_mention": "Azerbaijani President Ilham Aliyev", "actor": None, "polarity": "asserted"},
        {"text": "Fighting resumed on Monday.", "speaker": "Nobody", "speaker_mention": "", "actor": None,
         "polarity": "asserted"},
    ]  # fmt: skip
    (tmp_path / "a-3.json").write_text(json.dumps({"id": "a-3", "statements": statements}), encoding="utf-8")
    errors = tmp_path / "errors.jsonl"
    assert main(["eval-extraction", "--articles", str(tmp_path), "--output", str(tmp_path / "r.json"),
                 "--errors", str(errors)]) == 0  # fmt: skip
    found = [json.loads(line) for line in errors.read_text(encoding="utf-8").splitlines()]
    assert {(e["kind"], e["gold_speaker"], e["predicted_speaker"]) for e in found} == {
        ("speaker", "Nikol Pashinyan", "Ilham Aliyev"),
        ("missed", "Nobody", None),
    }
    assert all(e["article"] == "a-3" and e["context"] for e in found)


def test_annotated_text_missing_from_article_is_an_error(tmp_path):
    import pytest

    from training.extraction_eval import evaluate_articles

    (tmp_path / "a-2.txt").write_text("Russia called for talks.", encoding="utf-8")
    bad = {"id": "a-2", "statements": [{"text": "France called for talks.", "speaker": "France"}]}
    (tmp_path / "a-2.json").write_text(json.dumps(bad), encoding="utf-8")
    with pytest.raises(ValueError, match=r"a-2.json: statement 1: text not found in the article"):
        evaluate_articles(tmp_path)


def test_bundled_annotated_articles_are_consistent():
    from pathlib import Path

    from training.extraction_eval import read_annotated_article

    folder = Path(__file__).resolve().parents[1] / "data" / "articles"
    files = sorted(folder.glob("dev/*.json")) + sorted(folder.glob("test/*.json"))
    assert len(sorted(folder.glob("dev/*.json"))) >= 40 and len(sorted(folder.glob("test/*.json"))) >= 60
    for path in files:
        _, text, statements = read_annotated_article(path)
        assert statements
        for statement in statements:
            span = text[statement.start : statement.end]
            assert statement.speaker_mention is None or statement.speaker_mention in span, (path, span)
            assert statement.polarity in ("asserted", "rejected", "conditional", "question")


class FixedModel:
    """A stance model that gives every statement the same labels, so end-to-end counts are known in advance."""

    def __init__(self, stances):
        self.stances = stances

    def predict(self, texts, speakers=None, batch_size=32):
        from classifier.modeling import StancePrediction

        return [StancePrediction(list(self.stances), {}, "neutral", {}) for _ in texts]


def test_end_to_end_stance_needs_the_statement_and_the_speaker(tmp_path):
    from training.extraction_eval import evaluate_articles

    article = "Kremlin spokesman Dmitry Peskov said Moscow wanted talks.\n\nThe Kremlin said a truce was needed."
    (tmp_path / "a-3.txt").write_text(article, encoding="utf-8")
    statements = [
        {"text": "Kremlin spokesman Dmitry Peskov said Moscow wanted talks.", "speaker": "Dmitry Peskov",
         "on_behalf_of": "Russia", "stances": ["calls_for_negotiations"], "polarity": "asserted"},
        {"text": "The Kremlin said a truce was needed.", "speaker": "Vladimir Putin", "on_behalf_of": None,
         "stances": ["calls_for_ceasefire"], "polarity": "asserted"},
    ]  # fmt: skip
    (tmp_path / "a-3.json").write_text(json.dumps({"id": "a-3", "statements": statements}), encoding="utf-8")
    report = evaluate_articles(tmp_path, model=FixedModel(["calls_for_ceasefire"]))
    assert report["speaker_accuracy"] == 0.5  # the second speaker is wrong on purpose
    assert report["on_behalf_of_accuracy"] == 1.0  # "Kremlin" and "Russia" are one principal; null equals null
    # one label predicted per statement; the only right one belongs to the statement with the wrong speaker
    assert report["end_to_end_stance"] == {"gold_labels": 2, "predicted_labels": 2, "precision": 0.0,
                                           "recall": 0.0, "f1": 0.0}  # fmt: skip
    # with the speaker check left out, that label counts: one right of two predicted, one of two gold found
    assert report["end_to_end_stance_any_speaker"] == {"precision": 0.5, "recall": 0.5, "f1": 0.5}
    assert report["stance_on_gold_statements"]["f1"] == 0.5


def speaker_accuracy(folder, paragraphs: list[str], speakers: list[str]) -> float:
    """Speaker accuracy of the extractor on a one-article folder whose paragraphs are annotated with ``speakers``."""
    from training.extraction_eval import evaluate_articles

    (folder / "a-1.txt").write_text("\n\n".join(paragraphs), encoding="utf-8")
    statements = [{"text": text, "speaker": who, "polarity": "asserted"} for text, who in zip(paragraphs, speakers)]
    (folder / "a-1.json").write_text(json.dumps({"id": "a-1", "statements": statements}), encoding="utf-8")
    return evaluate_articles(folder)["speaker_accuracy"]


def test_a_speaker_counts_under_the_articles_own_acronym_or_a_longer_body_name(tmp_path):
    paragraphs = [
        "The Liberians United for Reconciliation and Democracy (LURD) said its fighters would hold their positions.",
        "The U.S. embassy in Monrovia said in a statement that the shelling must stop.",
    ]
    assert speaker_accuracy(tmp_path, paragraphs, ["LURD", "U.S. embassy in Monrovia"]) == 1.0
    assert speaker_accuracy(tmp_path, paragraphs, ["LURD", "Liberia"]) == 0.5  # a different speaker is still wrong


def test_a_state_counts_the_same_named_possessive_or_adjective(tmp_path):
    paragraphs = [
        "Azerbaijan's Defence Ministry said Armenian forces had shelled Ganja overnight.",
        "The United States Africa Command said its aircraft had struck a militant camp.",
    ]
    assert speaker_accuracy(tmp_path, paragraphs, ["Azerbaijani Defence Ministry", "U.S. Africa Command"]) == 1.0
    # another state's ministry is still wrong
    assert speaker_accuracy(tmp_path, paragraphs, ["Armenian Defence Ministry", "U.S. Africa Command"]) == 0.5


def write_article(root, text, attributions):
    """A one-article brat corpus: ``attributions`` holds ``(source, cue, [content pieces])`` as strings of ``text``
    (each found from the left, after the previous piece of the same attribution)."""
    (root / "test" / "text").mkdir(parents=True)
    (root / "test" / "attributions").mkdir(parents=True)
    (root / "metadata.tsv").write_text("filename\tannotators\nart\tx\n", encoding="utf-8")
    (root / "test" / "text" / "art.txt").write_text(text, encoding="utf-8")
    lines, number = [], 0
    for event, (source, cue, contents) in enumerate(attributions, start=1):
        ids = {}
        for role, parts in (("Source", [source]), ("Cue", [cue]), ("Content", contents)):
            offsets = []
            for part in parts:
                start = text.index(part)
                offsets.append(f"{start} {start + len(part)}")
            number += 1
            ids[role] = f"T{number}"
            lines.append(f"T{number}\t{role} {';'.join(offsets)}\t{' '.join(parts)}")
        roles = " ".join(f"{role}:{ids[role]}" for role in ("Source", "Cue", "Content"))
        lines.append(f"E{event}\tAttribution:{ids['Cue']} {roles}")
    (root / "test" / "attributions" / "art_x.ann").write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_polnear_spans_follow_the_parse(tmp_path):
    # the whole source phrase, "that" kept in the content, and a short quotation that continues the speaker's
    text = (
        "Jane Roe, a lawyer for the family, said on Monday that the hearing was postponed.\n\n"
        '"We will appeal at once," Smith told reporters. "No doubt."'
    )
    write_article(
        tmp_path,
        text,
        [
            ("Jane Roe, a lawyer for the family", "said", ["that the hearing was postponed"]),
            ("Smith", "told", ['"We will appeal at once,"', '"No doubt."']),
        ],
    )
    errors = []
    report = evaluate_polnear(tmp_path, "test", errors=errors)
    assert report["speech"]["source"]["exact"]["f1"] == 1.0
    assert report["speech"]["content"]["exact"]["f1"] == 1.0
    assert errors == []


def test_a_quotation_inside_the_reported_clause_is_part_of_the_content(tmp_path):
    text = 'The senator told reporters he was "totally against the war in Iraq" because it destabilized the region.'
    content = 'he was "totally against the war in Iraq" because it destabilized the region'
    write_article(tmp_path, text, [("The senator", "told", [content])])
    report = evaluate_polnear(tmp_path, "test")
    assert report["speech"]["content"]["exact"]["f1"] == 1.0


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # the clause ends before the period the quotation holds: still the whole clause, not the quotation alone
        ('The official said the strikes "do nothing to end the war."', ['the strikes "do nothing to end the war']),
        # the speaker's next cue starts words of its own: a participle, or a verb in another tense after "and"
        (
            "The senator said he doubted the plan would pass, arguing that the votes were not there.",
            ["he doubted the plan would pass", "that the votes were not there"],
        ),
        (
            "The president said he would order a review of the defences and warned against hackers from abroad.",
            ["he would order a review of the defences", "hackers from abroad"],
        ),
        # the speaker's reason and the journalist's contrast are not the reported words
        (
            "Analysts said the talks had stalled, citing the shelling of the port.",
            ["the talks had stalled"],
        ),
        (
            "The minister said the army would hold its fire, although rebels kept up the shelling.",
            ["the army would hold its fire"],
        ),
        # in the clause's own tense the verb is the reported subject's
        ("Police say he posed a threat and refused to go.", ["he posed a threat and refused to go"]),
    ],
)
def test_content_stops_where_the_speakers_next_cue_begins(text, expected):
    extractor = StatementExtractor()
    sentences = extractor.sentences(text)
    statements = extractor.extract(text, sentences)
    attributed = SpeakerAttributor().attribute(text, statements, sentences)
    contents, _ = _predicted_spans(text, sentences, attributed)
    assert [text[a:b] for spans in contents for a, b in spans] == expected


def test_polnear_errors_are_listed(tmp_path):
    text = "Turkey said it backed Baku. Some 300 troops were sent, according to the ministry."
    write_article(
        tmp_path,
        text,
        [
            ("Turkey said", "said", ["it backed Baku"]),  # a source the extractor cuts shorter: a boundary error
            ("the ministry", "according to", ["Some 300 troops were sent"]),  # a sourced figure is no statement
        ],
    )
    errors = []
    evaluate_polnear(tmp_path, "test", errors=errors)
    kinds = {(e["role"], e["kind"], e["gold"] or e["predicted"]) for e in errors}
    assert ("source", "boundary", "Turkey said") in kinds
    assert ("source", "missed", "the ministry") in kinds
    assert all(e["article"] == "art" and e["context"] for e in errors)
