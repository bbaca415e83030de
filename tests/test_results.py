"""A video's result: its status, its JSON form in report.json and the manifest, and what an
older or damaged manifest gives (nothing: the video is built again)."""

from __future__ import annotations

import json
from dataclasses import asdict

import pytest

from subtitler import incremental
from subtitler.model import Doubt, Flag, NotSpoken
from subtitler.results import LeftOut, Status, VideoResult, result_from_dict


def test_only_a_failed_video_did_not_succeed():
    assert [status.succeeded for status in Status] == [True, True, True, False]
    assert not VideoResult("a.md", None, Status.FAILED).succeeded


def test_the_json_form_holds_plain_values_and_reads_back_as_enums():
    result = VideoResult("a.md", "a", Status.OK, flagged_cues=(3,), flag_reasons=((Flag.NOT_FOUND, Doubt.NO_VOICE),),
                         not_spoken=(LeftOut(1, NotSpoken.HEADER, "EP102"),))
    text = json.dumps(asdict(result))
    assert '"status": "ok"' in text and '"flag_reasons": [["not-found", "no-voice"]]' in text
    assert '"reason": "header"' in text
    again = result_from_dict(json.loads(text))
    assert again == result
    assert again.status is Status.OK and again.not_spoken[0].reason is NotSpoken.HEADER
    assert again.flag_reasons == ((Flag.NOT_FOUND, Doubt.NO_VOICE),)
    assert [type(flag) for flag in again.flag_reasons[0]] == [Flag, Doubt]


@pytest.mark.parametrize("damage", [
    {"status": "half-done"},  # a status this version does not have
    {"flag_reasons": [["too-blue"]]},  # nor this flag
    {"cue_count": 3},  # a field it does not know
])
def test_a_recorded_result_this_version_cannot_read_is_no_result(tmp_path, damage):
    data = {**asdict(VideoResult("a.md", "a", Status.OK)), **damage}
    assert incremental.recorded_result({"result": json.loads(json.dumps(data))}) is None
    assert incremental.recorded_result({"result": asdict(VideoResult("a.md", "a", Status.OK))}) is not None
    assert incremental.recorded_result(None) is None and incremental.recorded_result({}) is None
