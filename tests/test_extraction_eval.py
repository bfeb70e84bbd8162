"""eval-extraction on a tiny brat-format corpus written here (PolNeAR itself is never needed by the tests)."""

import json

from classifier.cli import main
from training.extraction_eval import evaluate_polnear, read_brat

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
    assert json.loads(capsys.readouterr().out)["articles"] == 1
    assert main(["eval-extraction", "--polnear", str(tmp_path / "missing")]) == 2
    assert "no PolNeAR split" in capsys.readouterr().err
