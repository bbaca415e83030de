"""The independent caption checker (benchmarks/caption_check.py): each hard rule of
shared/reference/caption-rules.md is caught, and a clean file passes."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.caption_check import Rule, check_cues, check_file, parse_vtt, summarise  # noqa: E402

NBSP, NNBSP = "\u00a0", "\u202f"


def vtt(*cues: tuple[str, str, str]) -> str:
    blocks = [f"{n}\n{start} --> {end}\n{text}" for n, (start, end, text) in enumerate(cues, 1)]
    return "WEBVTT\n\n" + "\n\n".join(blocks) + "\n"


def rules(text: str, fps: float = 25.0) -> list[Rule]:
    cues, _ = parse_vtt(text)
    return [v.rule for v in check_cues(cues, fps)]


CLEAN = vtt(
    ("00:00:01.000", "00:00:03.500", f"Qu’appelle-t-on cyberharcèlement{NBSP}?"),
    ("00:00:03.580", "00:00:07.000", f"Un harcèlement en ligne{NBSP}: «{NBSP}fisha{NBSP}»,\n"
                                     f"à l’«{NBSP}école{NBSP}» et 10{NNBSP}000 élèves à 15{NBSP}%"),
    ("00:00:07.080", "00:00:08.000", "- Oui."),  # 0.92 s, squeezed: 0.08 + 0.92 + 0.08 s
    ("00:00:08.080", "00:00:09.500", "- Merci &amp; bravo, https://x.fr?a=1 14:30"),
)


def test_a_clean_file_passes() -> None:
    assert rules(CLEAN) == []


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("a" * 43, Rule.LINES),
        ("un\ndeux\ntrois", Rule.LINES),
        ("Tu as un\nlien vers le site.", Rule.BREAK),  # after an article
        ("il faut que ce\nprojet avance.", Rule.BREAK),  # after "ce"
        ("de chaque élève et ce,\npendant toute la séquence", Rule.BREAK),  # "ce" announces
        ("c’est bien d’un\nprojet qu’il s’agit.", Rule.BREAK),  # elided "d’un" ends like "un"
        ("Voici M.\nDupont.", Rule.BREAK),  # title | name
        ("Il y a 15\n% des élèves.", Rule.BREAK),  # number | unit
        ("Ça va ?", Rule.TYPOGRAPHY),  # ordinary space before ?
        ("Ça va?", Rule.TYPOGRAPHY),
        ("« fisha »", Rule.TYPOGRAPHY),
        (f"via l’ «{NBSP}environnement{NBSP}»", Rule.TYPOGRAPHY),
        ("aujourd'hui", Rule.TYPOGRAPHY),
        ("10 000 élèves", Rule.TYPOGRAPHY),
        ("15%", Rule.TYPOGRAPHY),
        ("de 17h à 18h", Rule.TYPOGRAPHY),
        ("oui , non", Rule.TYPOGRAPHY),
        (f"des élèves\n?{NBSP}", Rule.TYPOGRAPHY),
        ("Tom & Léa", Rule.ESCAPING),
        ("a <b c", Rule.ESCAPING),
    ],
)
def test_each_rule_is_caught(text: str, rule: Rule) -> None:
    assert rule in rules(vtt(("00:00:01.000", "00:00:03.000", text)))


def test_what_is_not_a_violation() -> None:
    for text in ("Il a 360° de vue.", "En 4G, 3D, H24.", "le mot 'bel' ici", "<i>Ici</i> <v Léa>oui",
                 f"«{NBSP}Mais{NBSP}»", "il y a 2 ans", f"Réponse{NBSP}: ok"):
        assert rules(vtt(("00:00:01.000", "00:00:03.000", text))) == [], text


@pytest.mark.parametrize(
    ("cues", "rule"),
    [
        ([("00:00:01.000", "00:00:08.001", "Trop long.")], Rule.DURATION),
        ([("00:00:01.000", "00:00:01.900", "Trop court.")], Rule.DURATION),  # not squeezed
        (  # squeezed, but under 0.8 s
            [("00:00:00.000", "00:00:01.000", "Avant."), ("00:00:01.080", "00:00:01.870", "Oui."),
             ("00:00:01.950", "00:00:03.000", "Après.")],
            Rule.DURATION,
        ),
        (  # 0.9 s with room to spare after it: not squeezed
            [("00:00:00.000", "00:00:01.000", "Avant."), ("00:00:01.080", "00:00:01.980", "Oui."),
             ("00:00:02.500", "00:00:03.600", "Après.")],
            Rule.DURATION,
        ),
        ([("00:00:01.000", "00:00:02.000", "Un."), ("00:00:02.079", "00:00:03.100", "Deux.")],
         Rule.GAP),
        ([("00:00:01.000", "00:00:02.500", "Un."), ("00:00:02.000", "00:00:03.100", "Deux.")],
         Rule.GAP),
        ([("00:00:01.000", "00:00:02.500", "Il parle de"), ("00:00:02.580", "00:00:04.000", "son projet.")],
         Rule.BREAK),  # a sentence running on into the next cue after a preposition
    ],
)
def test_timing_and_cue_breaks(cues: list[tuple[str, str, str]], rule: Rule) -> None:
    assert rule in rules(vtt(*cues))


def test_the_gap_is_two_frames_of_the_given_rate() -> None:
    text = vtt(("00:00:01.000", "00:00:02.000", "Un."), ("00:00:02.067", "00:00:03.100", "Deux."))
    assert rules(text, fps=30000 / 1001) == []
    assert rules(text, fps=25.0) == [Rule.GAP]


def test_empty_cues_are_counted_apart_and_reading_speed_is_measured(tmp_path: Path) -> None:
    path = tmp_path / "a.vtt"
    path.write_text("WEBVTT\n\n1\n00:00:01.000 --> 00:00:02.000\n\n\n2\n"
                    "00:00:03.000 --> 00:00:05.000\n" + "a" * 36 + "\n", encoding="utf-8")
    check = check_file(path)
    assert (len(check.cues), check.empty_cues) == (1, 1)
    summary = summarise([check])
    assert summary.cps_shares == {20.0: 100.0, 17.0: 0.0}  # 18 characters per second


def test_the_hand_made_captions_of_the_corpus(shared_dir: Path) -> None:
    """The reference figures of the README: the four files made by hand for the corpus."""
    folder = shared_dir / "corpus" / "pix-tutos" / "captions"
    summary = summarise(check_file(path) for path in sorted(folder.glob("*.vtt")))
    assert (summary.files, summary.cues) == (4, 181)
    assert summary.violations[Rule.GAP] > 100  # they are 20-30 ms apart
    assert summary.violations[Rule.BREAK] > 10
    assert summary.cps_shares[20.0] < 90
