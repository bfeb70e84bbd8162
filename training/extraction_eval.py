"""Measure statement extraction and speaker attribution on PolNeAR (real news, brat standoff annotations).

PolNeAR is reference data that users may not have: nothing here runs by default, and nothing of it is copied
into the repository. ``diplostance eval-extraction --polnear PATH --split test`` reports, for all attributions and
for the speech-cue subset, precision/recall/F1 of content spans and source (speaker) spans, at exact match and at
>= 50% token overlap.

How predictions map onto PolNeAR's roles: a statement's *source* is its speaker mention; its *content* is the
quoted words for direct statements, and otherwise the clause after the cue (``said that ...``) or, when the cue
closes the sentence (``..., officials said.``), the words before the speaker.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from classifier.extract import RawStatement, SpeakerAttributor, StatementExtractor

# Cues that are speech, for the speech-cue subset (PolNeAR also annotates beliefs, polls, documents ...).
SPEECH_CUE = re.compile(
    r"\b(?:say|says|said|saying|tell|tells|told|telling|add|adds|added|adding|write|writes|wrote|writing|tweet\w*|"
    r"according to|ask|asks|asked|asking|note|notes|noted|noting|announce\w*|state|states|stated|stating|stress\w*|"
    r"urge\w*|call|calls|called|calling|demand\w*|warn\w*|insist\w*|claim\w*|declare\w*|repl\w*|respond\w*|argue\w*|"
    r"den(?:y|ies|ied)|admit\w*|explain\w*|repeat\w*|comment\w*|testif\w*|quoted|statement|vow\w*|pledge\w*|"
    r"acknowledg\w*|confirm\w*|complain\w*|accus\w*|suggest\w*|predict\w*|promise\w*|reiterat\w*|recall\w*|"
    r"remark\w*|mention\w*|declin\w*)\b",
    re.IGNORECASE,
)
_TOKEN = re.compile(r"\w+")


@dataclass
class GoldAttribution:
    source: list[tuple[int, int]]
    cue: list[tuple[int, int]]
    content: list[tuple[int, int]]
    cue_text: str

    @property
    def speech(self) -> bool:
        return SPEECH_CUE.search(self.cue_text) is not None


def read_brat(path: Path) -> list[GoldAttribution]:
    """Attributions of one ``.ann`` file: each event's source, cue and (possibly discontinuous) content spans."""
    spans: dict[str, tuple[str, list[tuple[int, int]], str]] = {}
    events = []
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        if line.startswith("T") and len(parts) >= 2:
            label, _, offsets = parts[1].partition(" ")
            ranges = [tuple(int(x) for x in piece.split()) for piece in offsets.split(";")]
            spans[parts[0]] = (label, [(a, b) for a, b in ranges], parts[2] if len(parts) > 2 else "")
        elif line.startswith("E") and len(parts) >= 2:
            events.append(dict(arg.split(":", 1) for arg in parts[1].split()))
    result = []
    for event in events:
        role = {key: spans[value] for key, value in event.items() if value in spans}
        if "Content" not in role:
            continue
        result.append(
            GoldAttribution(
                source=role["Source"][1] if "Source" in role else [],
                cue=role["Cue"][1] if "Cue" in role else [],
                content=role["Content"][1],
                cue_text=role["Cue"][2] if "Cue" in role else "",
            )
        )
    return result


def polnear_articles(root: Path, split: str) -> list[tuple[str, str, list[GoldAttribution]]]:
    """``(name, text, attributions)`` for each article of a split, first-listed annotator only."""
    first_annotator = {}
    metadata = root / "metadata.tsv"
    if metadata.is_file():
        rows = [line.split("\t") for line in metadata.read_text(encoding="utf-8").splitlines()]
        header = rows[0]
        for row in rows[1:]:
            record = dict(zip(header, row))
            first_annotator[record["filename"]] = record["annotators"].split("|")[0]
    text_dir, ann_dir = root / split / "text", root / split / "attributions"
    if not text_dir.is_dir():
        raise FileNotFoundError(f"no PolNeAR split at {text_dir}")
    articles = []
    for text_file in sorted(text_dir.glob("*.txt")):
        name = text_file.stem
        candidates = sorted(ann_dir.glob(f"{name}_*.ann"))
        preferred = [c for c in candidates if c.stem.endswith("_" + first_annotator.get(name, ""))]
        chosen = (preferred or candidates)[:1]
        if not chosen:
            continue
        articles.append((name, text_file.read_text(encoding="utf-8"), read_brat(chosen[0])))
    return articles


def content_spans(text: str, statement: RawStatement, min_quote_words: int = 4) -> list[tuple[int, int]]:
    """The words a statement reports, as spans (see the module docstring); a tagger's statements carry them."""
    if getattr(statement, "content", None):
        return list(statement.content)
    quotes = [q for q in statement.quotes if q.words(text) >= min_quote_words or q.start == statement.start]
    if statement.kind == "direct" and quotes:
        spans = [(q.start, q.end) for q in quotes]
        inside = statement.reported and all(any(_within(text, q, a, b) for a, b in statement.reported) for q in quotes)
        if not inside:
            return spans
        # 'said he was "totally against the war" because ...': a quotation inside the reported clause is part of
        # the words the cue reports, not the whole of them
        return list(statement.reported)
    if statement.reported:
        # the clause the cue reports, unquoted words and all ('she said "I stood up to the banks" for years')
        return list(statement.reported)
    body_end = statement.end
    while body_end > statement.start and text[body_end - 1] in ".!? \n":
        body_end -= 1
    if statement.cue is None:
        return [(statement.start, body_end)]
    cue_start, cue_end = statement.cue
    mention = statement.mention
    speaker_start = mention.start if mention is not None else cue_start
    if speaker_start > statement.start + 10 and re.search(
        r",[\"\u201d\u00bb']?\s*$", text[statement.start : speaker_start]
    ):
        # "..., officials said." : the content comes first
        end = speaker_start
        while end > statement.start and text[end - 1] in ", ":
            end -= 1
        return [(statement.start, end)]
    start = cue_end
    match = re.match(r"\s*", text[start:body_end])  # PolNeAR's contents keep "that"
    start += match.end() if match else 0
    return [(start, body_end)] if body_end > start else []


def _within(text: str, quote, start: int, end: int) -> bool:
    """The quotation lies in the clause ``start:end``, give or take the punctuation and quotation marks the clause's
    edges leave out ('said the breaks "do nothing."': the clause stops before the period the quotation holds)."""
    before, after = text[quote.start : start], text[end : quote.end]
    return not any(c.isalnum() for c in before + after)


def _tokens(text: str, spans: list[tuple[int, int]]) -> set[int]:
    return {m.start() for a, b in spans for m in _TOKEN.finditer(text, a, b)}


def _match(text: str, predicted: list[list[tuple[int, int]]], gold: list[list[tuple[int, int]]], overlap: bool):
    """Greedy one-to-one matching; returns the number of matched pairs."""
    return len(_pairs(text, predicted, gold, overlap))


def _pairs(text: str, predicted: list, gold: list, overlap: bool) -> list[tuple[int, int]]:
    """Greedy one-to-one matching: ``(predicted index, gold index)`` of each matched pair."""
    used, pairs = set(), []
    gold_tokens = [_tokens(text, g) for g in gold]
    for i, spans in enumerate(predicted):
        pred_tokens = _tokens(text, spans)
        for j, g in enumerate(gold):
            if j in used:
                continue
            if overlap:
                common = len(pred_tokens & gold_tokens[j])
                ok = common and common / max(len(pred_tokens), len(gold_tokens[j])) >= 0.5
            else:
                ok = _strip(text, spans) == _strip(text, g)
            if ok:
                used.add(j)
                pairs.append((i, j))
                break
    return pairs


def _errors(name: str, text: str, role: str, predicted: list, gold: list, cues: list) -> list[dict]:
    """The speech-subset mistakes of one article and role, for reading: ``boundary`` (matched at overlap, not
    exactly), ``missed`` (a gold span matched by nothing) and ``spurious`` (a predicted span matching nothing).
    ``cues`` gives each gold span's cue words; ``nearest`` is a span of the other side sharing a token, if any."""
    pairs = _pairs(text, predicted, gold, True)
    show = lambda spans: " ... ".join(text[a:b] for a, b in spans)  # noqa: E731
    out = []

    def record(kind: str, spans: list, other: list, cue: str = "") -> dict:
        tokens = _tokens(text, spans)
        nearest = next((o for o in other if tokens & _tokens(text, o)), None)
        lo, hi = min(a for a, _ in spans), max(b for _, b in spans)
        return {
            "article": name, "role": role, "kind": kind, "gold": show(spans) if kind != "spurious" else "",
            "predicted": show(spans) if kind == "spurious" else (show(nearest) if nearest else ""),
            "nearest_gold": show(nearest) if kind == "spurious" and nearest else "", "cue": cue,
            "context": " ".join(text[max(0, lo - 200) : hi + 200].split()),
        }  # fmt: skip

    for i, j in pairs:
        if _strip(text, predicted[i]) != _strip(text, gold[j]):
            item = record("boundary", gold[j], [predicted[i]], cues[j])
            out.append(item)
    matched_pred, matched_gold = {i for i, _ in pairs}, {j for _, j in pairs}
    out += [record("missed", g, predicted, cues[j]) for j, g in enumerate(gold) if j not in matched_gold]
    out += [record("spurious", p, gold) for i, p in enumerate(predicted) if i not in matched_pred]
    return out


def _not_only(text: str, predicted: list, excluded: list, wanted: list) -> list:
    """``predicted`` less the spans that overlap something in ``excluded`` and nothing in ``wanted``."""
    return [p for p in predicted if not _match(text, [p], excluded, True) or _match(text, [p], wanted, True)]


def _strip(text: str, spans: list[tuple[int, int]]) -> tuple:
    # Exact match ignores surrounding whitespace and punctuation, which annotators include or leave out freely.
    out = []
    for a, b in spans:
        while a < b and not text[a].isalnum():
            a += 1
        while b > a and not text[b - 1].isalnum():
            b -= 1
        out.append((a, b))
    return tuple(out)


def _prf(matched_pred: int, n_pred: int, matched_gold: int, n_gold: int) -> dict:
    precision = matched_pred / n_pred if n_pred else 0.0
    recall = matched_gold / n_gold if n_gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4)}


def _predicted_spans(text: str, sentences: list, attributed: list) -> tuple[list, list]:
    """The predicted contents (each a list of spans) and sources of an article, the way PolNeAR marks them: a
    quotation that continues the last speaker's in the same paragraph joins that content (also a short one the
    extractor leaves alone, '"I can't vote for him," she said. "Never."'), and adds no source of its own."""
    contents: list[list[tuple[int, int]]] = []
    sources: set[tuple[int, int]] = set()
    last_paragraph, last_mention = -1, None
    holding = {s.start for s, _ in attributed}
    index = {s.start: i for i, s in enumerate(sentences)}
    for statement, attrs in attributed:
        content = content_spans(text, statement)
        if statement.cue is None and contents and statement.paragraph == last_paragraph:
            contents[-1] = contents[-1] + content
        elif content:
            contents.append(content)
            last_paragraph = statement.paragraph
        # the same speaker's other cues in the sentence are attributions of their own
        extra = [[span] for span in getattr(statement, "also_reported", [])]
        here = index.get(statement.start)
        if statement.kind == "direct" and here is not None and content:
            before = []  # '"We lost." "We will not lose again," she said.': both quotations are hers
            for sentence in reversed(sentences[:here]):
                if not _quotation_only(text, sentence, statement.paragraph, holding):
                    break
                before = [(q.start, q.end) for q in sentence.quotes] + before
            after = []
            for sentence in sentences[here + 1 :]:
                if not _quotation_only(text, sentence, statement.paragraph, holding):
                    break
                after += [(q.start, q.end) for q in sentence.quotes if q.start >= sentence.start]
            contents[-1] = before + contents[-1] + after
        contents += extra
        if statement.cue is None and statement.mention is not None and statement.mention is last_mention:
            continue  # a quotation continuing the last speaker's, in a later paragraph: the same source
        last_mention = statement.mention
        if getattr(statement, "source", None) is not None:
            sources.add(statement.source)
        else:
            sources |= {(a.mention.start, a.mention.end) for a in attrs if a.mention is not None}
    return contents, sorted(sources)


def _quotation_only(text: str, sentence, paragraph: int, holding: set[int]) -> bool:
    """A sentence of ``paragraph`` that holds no statement and opens with a quotation mark."""
    opens = text[sentence.start : sentence.start + 1] in "\"\u201c\u00ab'`"
    quoted = any(q.start >= sentence.start for q in sentence.quotes)
    return sentence.paragraph == paragraph and sentence.start not in holding and opens and quoted


def evaluate_polnear(
    root: str | Path, split: str = "test", extractor=None, errors: list[dict] | None = None, limit: int | None = None
) -> dict:
    """Content and source precision/recall/F1, exact and overlap, for all attributions and speech cues.

    ``extractor`` is the parse-based :class:`StatementExtractor` unless given (e.g. a trained
    :class:`classifier.tagger.TaggerExtractor`). Pass a list as ``errors`` to have it filled with the speech-cue
    subset's mistakes, one dict each (article, role, kind, gold, predicted, cue, context; see :func:`_errors`);
    ``limit`` scores only the first articles of the split (a fixed subset, for quick iteration).

    >>> report = evaluate_polnear("../shared/data/polnear", "dev")  # doctest: +SKIP
    >>> report["speech"]["source"]["overlap"]["f1"]  # doctest: +SKIP
    """
    extractor, attributor = extractor or StatementExtractor(), SpeakerAttributor()
    totals = {}
    for subset in ("all", "speech"):
        for role in ("content", "source"):
            for mode in ("exact", "overlap"):
                totals[(subset, role, mode)] = [0, 0, 0, 0]  # matched pred, n pred, matched gold, n gold
    articles = polnear_articles(Path(root), split)[:limit]
    for name, text, gold in articles:
        sentences = extractor.sentences(text)
        statements = extractor.extract(text, sentences)
        attributed = attributor.attribute(text, statements, sentences)
        pred_content, pred_source = _predicted_spans(text, sentences, attributed)
        for subset in ("all", "speech"):
            chosen = [g for g in gold if subset == "all" or g.speech]
            gold_content = [g.content for g in chosen]
            gold_source = sorted({tuple(g.source) for g in chosen if g.source})
            if subset == "speech":
                # predictions that match only a non-speech attribution are left out rather than counted as errors
                other = [g for g in gold if not g.speech]
                pred_c = _not_only(text, pred_content, [g.content for g in other], gold_content)
                other_sources = [list(s) for s in {tuple(g.source) for g in other if g.source}]
                kept = _not_only(text, [[p] for p in pred_source], other_sources, [list(s) for s in gold_source])
                pred_s = [p[0] for p in kept]
            else:
                pred_c, pred_s = pred_content, pred_source
            if subset == "speech" and errors is not None:
                source_cues = {}
                for g in chosen:
                    source_cues.setdefault(tuple(g.source), g.cue_text)
                errors += _errors(name, text, "content", pred_c, gold_content, [g.cue_text for g in chosen])
                errors += _errors(
                    name, text, "source", [[p] for p in pred_s], [list(s) for s in gold_source],
                    [source_cues[s] for s in gold_source],
                )  # fmt: skip
            for mode in ("exact", "overlap"):
                overlap = mode == "overlap"
                m = _match(text, pred_c, gold_content, overlap)
                counts = totals[(subset, "content", mode)]
                counts[0] += m
                counts[1] += len(pred_c)
                counts[2] += m
                counts[3] += len(gold_content)
                sources = [list(s) for s in gold_source]
                m = _match(text, [[p] for p in pred_s], sources, overlap)
                counts = totals[(subset, "source", mode)]
                counts[0] += m
                counts[1] += len(pred_s)
                counts[2] += m
                counts[3] += len(sources)
    report: dict = {"split": split, "articles": len(articles)}
    for (subset, role, mode), counts in totals.items():
        report.setdefault(subset, {}).setdefault(role, {})[mode] = _prf(*counts)
    report["gold_attributions"] = {
        "all": sum(len(g) for _, _, g in articles),
        "speech": sum(sum(a.speech for a in g) for _, _, g in articles),
    }
    return report


@dataclass
class GoldStatement:
    start: int
    end: int
    speaker: str
    speaker_mention: str
    actor: str | None
    polarity: str | None
    on_behalf_of: str | None = None
    stances: tuple[str, ...] = ()


def read_annotated_article(json_path: Path) -> tuple[str, str, list[GoldStatement]]:
    """An article of ``data/articles`` (``ID.txt`` + ``ID.json``), with each statement's offsets found in order.

    Raises ``ValueError`` naming the file and statement when a text is not in the article.
    """
    import json

    record = json.loads(json_path.read_text(encoding="utf-8"))
    text = json_path.with_suffix(".txt").read_text(encoding="utf-8")
    statements, cursor = [], 0
    for number, item in enumerate(record["statements"], start=1):
        needle = item["text"]
        start = text.find(needle, cursor)
        if start < 0:
            start = text.find(needle)  # a second speaker of the same sentence
        if start < 0:
            raise ValueError(f"{json_path}: statement {number}: text not found in the article: {needle[:60]!r}")
        statements.append(
            GoldStatement(
                start, start + len(needle), item["speaker"], item.get("speaker_mention", ""), item.get("actor"),
                item.get("polarity"), item.get("on_behalf_of"), tuple(item.get("stances", ())),
            )
        )  # fmt: skip
        cursor = start
    return record["id"], text, statements


def _norm(name: str | None) -> str:
    """Lower case, punctuation to spaces, accents dropped: "Stéphane" and "Stephane", "Yıldırım" and "Yildirim"
    are the same name spelled with and without them.

    >>> _norm("Recep Tayyip Erdoğan") == _norm("Recep Tayyip Erdogan")
    True
    """
    folded = unicodedata.normalize("NFKD", (name or "").replace("\u0131", "i").casefold())
    folded = "".join(c for c in folded if not unicodedata.combining(c))
    return re.sub(r"[^\w]+", " ", folded).strip()


def _same_name(a: str | None, b: str | None) -> bool:
    return _norm(a) == _norm(b)


def _same_speaker(statement: dict, gold: GoldStatement, actors, aliases: dict | None = None) -> bool:
    """The same speaker under another name: equal names, the same actor ("Baku" and "Azerbaijan", "Britain" and
    "United Kingdom"), one person's name inside the other's ("Erdogan" and "Recep Tayyip Erdogan"), an acronym the
    article itself defines ("Liberians United for Reconciliation and Democracy (LURD)"), or a body's name of two
    words or more inside the other's ("Kuwaiti embassy" and "Kuwaiti embassy in Washington"); a state is the same
    whether named, possessive or adjective ("Azerbaijan's Defence Ministry" and "Azerbaijani Defence Ministry")."""
    if _same_name(statement["speaker"], gold.speaker) or _initials_match(statement["speaker"], gold.speaker):
        return True
    aliases = aliases or {}
    if _same_name(aliases.get(statement["speaker"]), gold.speaker) or _same_name(
        aliases.get(gold.speaker), statement["speaker"]
    ):
        return True
    names = (_state_named(statement["speaker"], actors), _state_named(gold.speaker, actors))
    if names[0] == names[1]:
        return True
    shorter, longer = sorted((names[0].split(), names[1].split()), key=len)
    if len(shorter) >= 2 and " ".join(shorter) in " ".join(longer):
        return True
    mine = statement["actor"]["id"] if statement["actor"] else None
    theirs = actors.resolve(gold.speaker)
    if mine and (_same_name(mine, gold.actor) or (theirs is not None and _same_name(mine, theirs.id))):
        return True
    a, b = set(_norm(statement["speaker"]).split()), set(_norm(gold.speaker).split())
    return (
        bool(a and b)
        and (a <= b or b <= a)
        and statement["actor"] is not None
        and statement["actor"]["type"] == "person"
    )


def _initials_match(a: str | None, b: str | None) -> bool:
    """One name with initials for the other's given names: "A. B. Vajpayee" and "Atal Bihari Vajpayee".

    >>> _initials_match("A. B. Vajpayee", "Atal Bihari Vajpayee")
    True
    >>> _initials_match("A. Vajpayee", "Atal Bihari Vajpayee")  # one initial for two given names
    False
    """
    x, y = _norm(a).split(), _norm(b).split()
    if len(x) != len(y) or len(x) < 2 or x[-1] != y[-1] or x == y:
        return False
    return all(p == q or (min(len(p), len(q)) == 1 and p[0] == q[0]) for p, q in zip(x[:-1], y[:-1]))


def _state_named(name: str | None, actors) -> str:
    """``name`` normalised, with every word that names a state ("Azerbaijani", "Azerbaijan's", "U.S.", "United
    States") replaced by the state's country code."""
    name = re.sub(r"\b(?:the\s+)?United\s+States\b", "U.S.", name or "", flags=re.IGNORECASE)
    return _norm(" ".join(actors.country_of_word(token) or token for token in re.findall(r"[\w.'\u2019-]+", name)))


def _acronyms(text: str) -> dict[str, str]:
    """Both directions of every "Full Name (ACRONYM)" the article defines."""
    from classifier.extract.coref import ACRONYM_DEFINED, defined_name

    pairs = {}
    for match in ACRONYM_DEFINED.finditer(text):
        full = defined_name(match)
        pairs[match.group("acronym")] = full
        pairs[full] = match.group("acronym")
    return pairs


def _same_principal(statement: dict, gold: GoldStatement, actors) -> bool:
    """Both speak for nobody else, or for the same body under any of its names ("Kremlin" and "Russia")."""
    mine, theirs = statement.get("on_behalf_of"), gold.on_behalf_of
    if not mine or not theirs:
        return not mine and not theirs
    if _same_name(mine, theirs):
        return True
    a, b = actors.resolve(mine), actors.resolve(theirs)
    return a is not None and b is not None and (a.id == b.id or (a.country is not None and a.country == b.country))


def _article_error(article_id: str, text: str, kind: str, statement: dict | None, gold: GoldStatement | None) -> dict:
    """One mistake on an annotated article: what was predicted and what the annotation says, with the sentence."""
    start = min(x for x in (statement and statement["start"], gold and gold.start) if x is not None)
    end = max(x for x in (statement and statement["end"], gold and gold.end) if x is not None)
    return {
        "article": article_id,
        "kind": kind,
        "gold_speaker": gold.speaker if gold else None,
        "gold_on_behalf_of": gold.on_behalf_of if gold else None,
        "predicted_speaker": statement["speaker"] if statement else None,
        "predicted_on_behalf_of": statement.get("on_behalf_of") if statement else None,
        # the words the speaker was read from ("he", "the envoy", "Lavrov"), and the mention the annotation names
        "predicted_mention": (statement.get("speaker_mention") or {}).get("text") if statement else None,
        "gold_mention": gold.speaker_mention if gold else None,
        "context": text[max(0, start - 120) : end + 40].replace("\n", " "),
    }


def evaluate_articles(directory: str | Path, extractor=None, model=None, errors: list[dict] | None = None) -> dict:
    """Statement precision/recall (>= 50% token overlap of the statement span) and speaker, ``on_behalf_of``,
    actor and polarity accuracy over the matched statements, on annotated articles written for this project. A
    speaker counts as right under another name of the same actor (see :func:`_same_speaker`). ``extractor``
    defaults to the parse-based one.

    With a stance ``model``, also the end-to-end stance micro-F1: a predicted (statement, speaker, stance) counts
    only when the statement was found, with the right speaker, and the label is in the gold set. Beside it, the
    same with the speaker check left out (``end_to_end_stance_any_speaker``: what perfect speakers would give with
    this extraction and model) and the model on the gold statements (``stance_on_gold_statements``: what perfect
    extraction would give), so the gap splits into statements, speakers and the stance model. Pass a list as
    ``errors`` to have it filled with the mistakes, one dict each (kind: missed, spurious, speaker or
    on_behalf_of; see :func:`_article_error`).
    """
    from classifier.pipeline import ArticleScorer

    finder = ArticleScorer(model=model) if extractor is None else ArticleScorer(model=model, extractor=extractor)
    files = sorted(Path(directory).glob("*.json"))
    if not files:
        raise FileNotFoundError(f"no annotated articles (*.json beside *.txt) in {directory}")
    n_pred = n_gold = matched = speaker_ok = actor_ok = polarity_ok = principal_ok = 0
    stance_tp = stance_tp_found = stance_pred = stance_gold = 0
    oracle: list[tuple[str, str, tuple[str, ...]]] = []  # gold (text, speaker, stances): the model's own share
    for path in files:
        article_id, text, gold = read_annotated_article(path)
        aliases = _acronyms(text)
        if model is None:
            found = finder.find(text, article_id)
        else:
            found = [row.as_dict() for row in finder.score(text, article_id)]
            stance_pred += sum(len(row["stances"]) for row in found)
            stance_gold += sum(len(g.stances) for g in gold)
            oracle += [(text[g.start : g.end], g.speaker, g.stances) for g in gold]
        n_pred += len(found)
        n_gold += len(gold)
        used: set[int] = set()
        for statement in found:
            tokens = _tokens(text, [(statement["start"], statement["end"])])
            candidates = []
            for j, g in enumerate(gold):
                if j in used:
                    continue
                gold_tokens = _tokens(text, [(g.start, g.end)])
                common = len(tokens & gold_tokens)
                if common and common / max(len(tokens), len(gold_tokens)) >= 0.5:
                    # prefer the gold statement with the same speaker (coordinated speakers share one span)
                    candidates.append((not _same_speaker(statement, g, finder.actors, aliases), j))
            if not candidates:
                if errors is not None:
                    errors.append(_article_error(article_id, text, "spurious", statement, None))
                continue
            _, j = min(candidates)
            used.add(j)
            matched += 1
            g = gold[j]
            same = _same_speaker(statement, g, finder.actors, aliases)
            speaker_ok += same
            principal = _same_principal(statement, g, finder.actors)
            principal_ok += principal
            if errors is not None and not (same and principal):
                errors.append(_article_error(article_id, text, "speaker" if not same else "on_behalf_of", statement, g))
            if model is not None:
                right = len(set(statement["stances"]) & set(g.stances))
                stance_tp += right if same else 0
                stance_tp_found += right
            actor = statement["actor"]["id"] if statement["actor"] else None
            actor_ok += _same_name(actor, g.actor)
            polarity_ok += statement["polarity"] == g.polarity
        if errors is not None:
            errors += [_article_error(article_id, text, "missed", None, g) for j, g in enumerate(gold) if j not in used]
    precision = matched / n_pred if n_pred else 0.0
    recall = matched / n_gold if n_gold else 0.0
    report = {
        "articles": len(files),
        "gold_statements": n_gold,
        "predicted_statements": n_pred,
        "statement": {
            "precision": round(precision, 4),
            "recall": round(recall, 4),
            "f1": round(2 * precision * recall / (precision + recall), 4) if precision + recall else 0.0,
        },
        "speaker_accuracy": round(speaker_ok / matched, 4) if matched else 0.0,
        "actor_accuracy": round(actor_ok / matched, 4) if matched else 0.0,
        "polarity_accuracy": round(polarity_ok / matched, 4) if matched else 0.0,
        "on_behalf_of_accuracy": round(principal_ok / matched, 4) if matched else 0.0,
    }
    if model is not None:
        report["end_to_end_stance"] = {"gold_labels": stance_gold, "predicted_labels": stance_pred}
        report["end_to_end_stance"].update(_prf(stance_tp, stance_pred, stance_tp, stance_gold))
        # The same count with every found statement's speaker taken as right: the share of the gap that is speakers.
        report["end_to_end_stance_any_speaker"] = _prf(stance_tp_found, stance_pred, stance_tp_found, stance_gold)
        # The same labels with extraction taken out: the model on the gold statements and speakers.
        predictions = model.predict([t for t, _, _ in oracle], [s for _, s, _ in oracle])
        tp = sum(len(set(p.stances) & set(g)) for p, (_, _, g) in zip(predictions, oracle))
        n_pred_oracle = sum(len(p.stances) for p in predictions)
        report["stance_on_gold_statements"] = _prf(tp, n_pred_oracle, tp, stance_gold)
    return report
