"""The optional trained tagger: BIO labels, decoding, linking, save/load, CLI, and offsets that slice the article.

A tiny random BERT and a three-article brat corpus written here stand in for a real backbone and PolNeAR.
"""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from classifier.cli import main
from classifier.pipeline import ArticleScorer
from classifier.tagger import LABELS, TaggedSpan, TaggerExtractor, decode
from training.extraction_eval import GoldAttribution, evaluate_polnear
from training.tagger import TaggerSettings, token_labels, train_tagger

from .test_extraction_properties import assert_offsets_hold

# (text, [(source, cue, [content pieces])]); each string is found in the text in order
ARTICLES = [
    (
        '"We want talks," the envoy said, "and a truce now." Turkey said it backed Baku.',
        [("the envoy", "said", ['"We want talks,"', '"and a truce now."']), ("Turkey", "said", ["it backed Baku"])],
    ),
    (
        "Foreign Minister Sergei Lavrov urged restraint.\n\nLavrov said Moscow would mediate.",
        [("Foreign Minister Sergei Lavrov", "urged", ["restraint"]), ("Lavrov", "said", ["Moscow would mediate"])],
    ),
    (
        "Fighting resumed on Monday. Officials told reporters the shelling had stopped.",
        [("Officials", "told reporters", ["the shelling had stopped"])],
    ),
]


def _spans(text: str, source: str, cue: str, pieces: list[str]) -> tuple[list, list, list]:
    cursor = 0
    found = {}
    for name, part in sorted([("s", source), ("c", cue)] + [(f"p{i}", p) for i, p in enumerate(pieces)],
                             key=lambda item: text.index(item[1])):  # fmt: skip
        start = text.index(part, cursor)
        found[name] = (start, start + len(part))
        cursor = start + len(part)
    return [found["s"]], [found["c"]], [found[f"p{i}"] for i in range(len(pieces))]


def gold(text: str, attributions) -> list[GoldAttribution]:
    return [GoldAttribution(*_spans(text, *a), cue_text=a[1]) for a in attributions]


def write_corpus(root, splits=("train", "dev", "test")):
    lines = ["filename\tannotators"]
    for split in splits:
        (root / split / "text").mkdir(parents=True)
        (root / split / "attributions").mkdir(parents=True)
        for number, (text, attributions) in enumerate(ARTICLES):
            name = f"{split}{number}"
            lines.append(f"{name}\tann")
            (root / split / "text" / f"{name}.txt").write_text(text, encoding="utf-8")
            ann, t = [], 0
            for e, attribution in enumerate(gold(text, attributions), start=1):
                ids = []
                for role, pieces in (("Source", attribution.source), ("Cue", attribution.cue),
                                     ("Content", attribution.content)):  # fmt: skip
                    t += 1
                    offsets = ";".join(f"{a} {b}" for a, b in pieces)
                    ann.append(f"T{t}\t{role} {offsets}\t{' '.join(text[a:b] for a, b in pieces)}")
                    ids.append(f"{role}:T{t}")
                ann.append(f"E{e}\tAttribution:{ids[1].split(':')[1]} " + " ".join(ids))
            (root / split / "attributions" / f"{name}_ann.ann").write_text("\n".join(ann) + "\n", encoding="utf-8")
    (root / "metadata.tsv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return root


@pytest.fixture(scope="session")
def tagger_dir(tmp_path_factory, tiny_backbone):
    corpus = write_corpus(tmp_path_factory.mktemp("brat"))
    output = tmp_path_factory.mktemp("tagger") / "tagger"
    options = TaggerSettings(backbone=str(tiny_backbone), window=16, stride=8, batch_size=4, max_windows=20)
    train_tagger(corpus, output, options)
    return output


@pytest.fixture(scope="session")
def tagger(tagger_dir) -> TaggerExtractor:
    return TaggerExtractor.from_pretrained(tagger_dir)


def test_token_labels_resume_a_split_quote_with_i_content(tiny_backbone):
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(tiny_backbone)
    text, attributions = ARTICLES[0]
    offsets = tokenizer(text, add_special_tokens=False, return_offsets_mapping=True)["offset_mapping"]
    labels = [LABELS[i] for i in token_labels(text, gold(text, attributions), offsets)]
    second_piece = text.index('"and a truce')
    assert labels[[a for a, _ in offsets].index(second_piece)] == "I-CONTENT"
    assert labels[[a for a, _ in offsets].index(text.index("Turkey"))] == "B-SOURCE"
    # decoding the gold labels gives back the gold spans, the split quotation as one content of two pieces once
    # a comma may stand between the attribution and the resumed quote
    decoded = decode(labels, offsets, max_gap=1)
    assert [s.pieces for s in decoded if s.role == "CONTENT"] == [g.content for g in gold(text, attributions)]
    assert [s.pieces for s in decoded if s.role == "SOURCE"] == [g.source for g in gold(text, attributions)]


def test_statements_link_the_nearest_source_and_the_attributor_resolves_it(tagger, monkeypatch):
    text = "Foreign Minister Sergei Lavrov met envoys.\n\nLavrov said Moscow would mediate."

    def spans(part: str, role: str) -> TaggedSpan:
        start = text.index(part)
        return TaggedSpan(role, [(start, start + len(part))])

    tagged = [spans("Lavrov said", "SOURCE"), spans("said", "CUE"), spans("Moscow would mediate", "CONTENT")]
    tagged[0].pieces = [(tagged[0].start, tagged[0].start + len("Lavrov"))]
    monkeypatch.setattr(tagger, "tag", lambda _: tagged)
    [found] = ArticleScorer(model=None, extractor=tagger).find(text)
    assert found["text"] == "Lavrov said Moscow would mediate."  # the whole sentence, attribution included
    assert found["speaker"] == "Sergei Lavrov"  # the surname resolved to the name used earlier
    assert found["speaker_mention"]["text"] == "Lavrov" and found["cue"] == "said"
    [statement] = tagger.extract(text)
    assert [text[a:b] for a, b in statement.content] == ["Moscow would mediate"]


def test_empty_and_one_word_articles_give_nothing(tagger):
    assert tagger.extract("") == []
    assert tagger.tag("") == []
    assert isinstance(tagger.extract("Ceasefire"), list)


def test_save_and_load_round_trip(tagger, tagger_dir, tmp_path):
    saved = json.loads((tagger_dir / "tagger.json").read_text(encoding="utf-8"))
    assert saved["labels"] == LABELS and saved["window"] == 16 and "dev" in saved
    assert tagger.labels == LABELS  # from config.id2label
    tagger.save_pretrained(tmp_path / "copy")
    again = TaggerExtractor.from_pretrained(tmp_path / "copy")
    text = ARTICLES[1][0]
    assert again.tag(text) == tagger.tag(text)


def test_settings_are_checked():
    with pytest.raises(ValueError, match="stride: must be between 1 and window - 2"):
        TaggerSettings(window=16, stride=15)


def test_eval_and_score_commands_take_the_tagger(tagger_dir, model_dir, tmp_path, capsys):
    corpus = write_corpus(tmp_path / "brat", splits=("test",))
    assert main(["eval-extraction", "--polnear", str(corpus), "--extractor", str(tagger_dir)]) == 0
    report = json.loads(capsys.readouterr().out)["polnear"]
    assert report == evaluate_polnear(corpus, "test", TaggerExtractor.from_pretrained(tagger_dir))
    article = tmp_path / "a.txt"
    article.write_text(ARTICLES[0][0], encoding="utf-8")
    out = tmp_path / "scored.jsonl"
    args = ["score", "--model", str(model_dir), str(article), "--output", str(out), "--extractor", str(tagger_dir)]
    assert main(args) == 0
    for row in map(json.loads, out.read_text(encoding="utf-8").splitlines()):
        assert ARTICLES[0][0][row["start"] : row["end"]] == row["text"]
    assert main(["eval-extraction", "--polnear", str(corpus), "--extractor", str(tmp_path)]) == 2
    assert "is not a diplostance tagger directory: tagger.json is missing" in capsys.readouterr().err


def test_train_tagger_command(tiny_backbone, tmp_path, capsys):
    corpus = write_corpus(tmp_path / "brat", splits=("train",))
    output = tmp_path / "tagger"
    args = ["train-tagger", "--polnear", str(corpus), "--output-dir", str(output), "--backbone", str(tiny_backbone)]
    assert main([*args, "--max-windows", "2"]) == 0
    assert json.loads(capsys.readouterr().out)["train_windows"] == 2
    assert TaggerExtractor.from_pretrained(output).labels == LABELS
    assert main(["train-tagger", "--polnear", str(tmp_path / "missing"), "--output-dir", str(output)]) == 2
    assert "no PolNeAR split" in capsys.readouterr().err


pieces = st.sampled_from(
    [
        " said ", " told reporters ", '"', "\u201c", "\u201d", "'", ". ", ", ", "\n\n", " he ", " She ", "Russia",
        " and ", "Secretary of State Mike Pompeo", " according to ", "U.S.", ":", "?", "\u00e9", "\U0001f600",
    ]
)  # fmt: skip
articles = st.lists(st.one_of(pieces, st.text(max_size=12)), max_size=40).map("".join)


def test_the_tiny_tagger_finds_statements(tagger):
    # keeps the property test below meaningful: the tiny model does tag contents, so offsets are really checked
    assert tagger.extract(ARTICLES[0][0])


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=articles)
def test_tagger_never_raises_and_offsets_hold(tagger, text):
    for statement in tagger.extract(text):
        assert statement.content and all(0 <= a < b <= len(text) for a, b in statement.content)
    assert_offsets_hold(text, ArticleScorer(model=None, extractor=tagger).find(text))
