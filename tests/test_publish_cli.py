"""`subtitler publish` end to end, through run_publish, against the fake PeerTube server."""

from __future__ import annotations

import argparse
import json
import logging
import os
import stat
from pathlib import Path

import pytest

from fake_peertube import ROLE_MODERATOR, FakePeerTube, FakeVideo
from subtitler import __version__, incremental
from subtitler.errors import UsageError
from subtitler.layout import OutputLayout
from subtitler.pipeline import BuildOptions
from subtitler.results import Status, VideoResult
from subtitler.publish.captions import cues_from_vtt, cues_sha256
from subtitler.publish.cli import add_publish_parser, run_publish
from subtitler.publish.errors import CredentialsError

PASSWORD = "correct-horse-battery-staple-42"
CUES = [(1000, 3500, "Bonjour à tous."), (3600, 6000, "Aujourd'hui :\nles mots de passe.")]


def vtt_text(cues, *, hours: bool = True, newline: str = "\n", header: str = "WEBVTT") -> str:
    def stamp(ms: int) -> str:
        h, rest = divmod(ms, 3_600_000)
        m, rest = divmod(rest, 60_000)
        s, ms = divmod(rest, 1000)
        return f"{h:02d}:{m:02d}:{s:02d}.{ms:03d}" if hours else f"{m:02d}:{s:02d}.{ms:03d}"

    blocks = [header] + [f"{i}\n{stamp(a)} --> {stamp(b)}\n{text}" for i, (a, b, text) in enumerate(cues, 1)]
    return (("\n\n".join(blocks)) + "\n").replace("\n", newline)


def record_build(video_dir: Path, transcript: Path, *names: str) -> None:
    """What a successful build leaves: its manifest (the transcript's hash, the outputs' hashes)."""
    key = incremental.build_key(transcript, None, BuildOptions().fingerprint(), __version__, None)
    result = VideoResult(transcript=str(transcript), slug=video_dir.name, status=Status.OK, outputs=names)
    incremental.record(OutputLayout(video_dir.parent).video(video_dir.name), key, result)


class Project:
    """A working folder: transcripts/, output/, private config and cache, and the environment."""

    def __init__(self, root: Path, fake: FakePeerTube) -> None:
        self.root = root
        self.fake = fake
        self.transcripts = root / "transcripts"
        self.out = root / "output"
        self.transcripts.mkdir()
        self.env = {
            "XDG_CONFIG_HOME": str(root / "config"),
            "XDG_CACHE_HOME": str(root / "cache"),
            "SUBTITLER_PEERTUBE_URL": fake.base_url,
            "SUBTITLER_PEERTUBE_USERNAME": "alice",
            "SUBTITLER_PEERTUBE_PASSWORD": PASSWORD,
        }
        self.sleeps: list[float] = []
        self.now = 1_800_000_000.0  # the run's clock: 2027-01-15T08:00:00Z

    def add(self, slug: str, embed_src: str | None, cues=CUES) -> Path:
        """A transcript and its built caption OUT/<slug>/<slug>.fr.vtt (with the build's manifest)."""
        path = self.transcripts / f"{slug}.md"
        embed = f"videoEmbedSrc: {embed_src}\n" if embed_src else ""
        path.write_text(f"---\ntitle: {slug}\n{embed}---\n\n## Transcription\n\nBonjour à tous.\n", encoding="utf-8")
        if cues is not None:
            self.write_caption(slug, vtt_text(cues))
        return path

    def write_caption(self, slug: str, text: str | bytes, *, built: bool = True) -> Path:
        """The caption file; ``built``: as a successful build leaves it (manifest included)."""
        path = self.out / slug / f"{slug}.fr.vtt"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
        if built:
            record_build(path.parent, self.transcripts / f"{slug}.md", path.name)
        return path

    def run(self, *options: str) -> int:
        parser = argparse.ArgumentParser(prog="subtitler")
        add_publish_parser(parser.add_subparsers(dest="command"))
        args = parser.parse_args(["publish", str(self.transcripts), "--out", str(self.out), *options])
        return run_publish(args, env=self.env, sleep=self.sleeps.append, clock=lambda: self.now)

    def report(self) -> dict:
        return json.loads((self.out / "publish-report.json").read_text(encoding="utf-8"))


@pytest.fixture
def fake():
    with FakePeerTube() as server:
        server.add_user("alice", PASSWORD)
        yield server


@pytest.fixture
def project(tmp_path: Path, fake: FakePeerTube) -> Project:
    return Project(tmp_path, fake)


@pytest.fixture
def video(fake: FakePeerTube) -> FakeVideo:
    return fake.add_video("alice")


def puts(fake: FakePeerTube) -> list:
    return fake.requests_to("PUT", r"/api/v1/videos/[^/]+/captions/[^/]+")


# -- the normal path --------------------------------------------------------------------------


@pytest.mark.parametrize("form", ["embed", "w", "watch"])
def test_first_upload_sends_the_file_as_text_vtt_in_captionfile(project, fake, video, form, capsys):
    project.add("mots-de-passe", fake.embed_url(video, form))

    assert project.run() == 0

    [upload] = fake.uploads
    assert (upload.field_name, upload.filename, upload.content_type) == ("captionfile", "mots-de-passe.fr.vtt", "text/vtt")
    assert fake.caption(video, "fr") == (project.out / "mots-de-passe" / "mots-de-passe.fr.vtt").read_bytes()
    out = capsys.readouterr().out
    assert "uploaded     mots-de-passe: fr caption to " in out and "(new, 2 cues)" in out
    assert "publish: 1 uploaded, 0 written, 0 unchanged, 0 kept, 0 skipped, 0 failed" in out


def test_rerun_with_the_same_caption_uploads_nothing_and_reuses_the_cached_token(project, fake, video, capsys):
    project.add("mots-de-passe", fake.embed_url(video))
    assert project.run() == 0

    assert project.run() == 0

    assert len(puts(fake)) == 1
    assert len(fake.requests_to("POST", "/api/v1/users/token")) == 1
    assert "unchanged    mots-de-passe: fr caption already up to date (2 cues)" in capsys.readouterr().out


def test_token_cache_is_private(project, fake, video):
    project.add("mots-de-passe", fake.embed_url(video))
    project.run()

    cache = project.root / "cache" / "subtitler" / "peertube-tokens.json"
    assert stat.S_IMODE(cache.stat().st_mode) == 0o600
    assert stat.S_IMODE(cache.parent.stat().st_mode) == 0o700


def test_caption_converted_by_the_server_with_the_same_cues_counts_as_unchanged(project, fake, video, capsys):
    project.add("mots-de-passe", fake.embed_url(video))
    server_copy = vtt_text(CUES, hours=False, newline="\r\n", header="WEBVTT FILE").replace("Bonjour à", "Bonjour   à ")
    fake.set_caption(video, "fr", server_copy.encode("utf-8"))

    assert project.run() == 0

    assert puts(fake) == []
    assert "unchanged" in capsys.readouterr().out


def test_changed_caption_is_uploaded_and_says_how_many_cues_differ(project, fake, video, capsys):
    project.add("mots-de-passe", fake.embed_url(video))
    fake.set_caption(video, "fr", vtt_text([CUES[0], (3600, 6100, "Aujourd'hui :\nles mots de passe.")]).encode())

    assert project.run() == 0

    assert "(changed: 1 of 2 cue(s) differ, 2 cues)" in capsys.readouterr().out
    assert fake.caption(video, "fr") == vtt_text(CUES).encode("utf-8")


def test_a_line_break_moved_is_a_change(project, fake, video):
    project.add("mots-de-passe", fake.embed_url(video))
    fake.set_caption(video, "fr", vtt_text([CUES[0], (3600, 6000, "Aujourd'hui : les\nmots de passe.")]).encode())

    project.run()

    assert len(puts(fake)) == 1


def test_automatic_caption_is_replaced_and_said_so(project, fake, video, capsys):
    project.add("mots-de-passe", fake.embed_url(video))
    fake.set_caption(video, "fr", vtt_text([(0, 9000, "bonjour a tous aujourd'hui les mots de passe")]).encode(), automatic=True)

    project.run()

    assert "automatic caption replaced: 2 of 2 cue(s) differ" in capsys.readouterr().out


def test_older_server_without_file_url_is_compared_through_caption_path(tmp_path, capsys):
    with FakePeerTube(serve_file_url=False) as fake:
        fake.add_user("alice", PASSWORD)
        video = fake.add_video("alice")
        fake.set_caption(video, "fr", vtt_text(CUES).encode())
        project = Project(tmp_path, fake)
        project.add("mots-de-passe", fake.embed_url(video))

        assert project.run() == 0

        assert puts(fake) == []
        assert "unchanged" in capsys.readouterr().out


def test_dry_run_reports_new_changed_and_unchanged_and_uploads_nothing(project, fake, capsys):
    new, changed, same = (fake.add_video("alice") for _ in range(3))
    fake.set_caption(changed, "fr", vtt_text(CUES[:1]).encode())
    fake.set_caption(same, "fr", vtt_text(CUES).encode())
    project.add("a-new", fake.embed_url(new))
    project.add("b-changed", fake.embed_url(changed))
    project.add("c-same", fake.embed_url(same))

    assert project.run("--dry-run") == 0

    out = capsys.readouterr().out
    assert puts(fake) == []
    assert "would upload a-new: fr caption to" in out and "(new)" in out
    assert "would upload b-changed" in out and "(changed: 1 of 2 cue(s) differ)" in out
    assert "unchanged    c-same" in out
    assert "publish (dry run): 2 would upload, 0 would write, 1 unchanged, 0 kept, 0 skipped, 0 failed" in out


def test_dry_run_works_without_credentials(project, fake, video, capsys):
    del project.env["SUBTITLER_PEERTUBE_PASSWORD"], project.env["SUBTITLER_PEERTUBE_USERNAME"]
    project.add("mots-de-passe", fake.embed_url(video))

    assert project.run("--dry-run") == 0

    assert "would upload" in capsys.readouterr().out
    assert fake.requests_to("POST", "/api/v1/users/token") == []


def test_force_uploads_an_unchanged_caption(project, fake, video, capsys):
    project.add("mots-de-passe", fake.embed_url(video))
    fake.set_caption(video, "fr", vtt_text(CUES).encode())

    assert project.run("--force") == 0

    assert len(puts(fake)) == 1
    assert "(unchanged, forced, 2 cues)" in capsys.readouterr().out


def test_lang_option_chooses_the_peertube_language_code(project, fake, video):
    project.add("mots-de-passe", fake.embed_url(video))

    assert project.run("--lang", "en") == 0

    assert fake.uploads[0].language == "en" and fake.caption(video, "en") is not None


# -- skipped and failed videos ------------------------------------------------------------------


@pytest.mark.parametrize("embed_src", ["https://videos.pix.fr/tutos/sixieme/PIX_CNIL_parcours.mp4", None])
def test_video_not_on_peertube_is_skipped_with_a_reason(project, embed_src, capsys):
    project.add("cnil", embed_src)

    assert project.run() == 0

    out = capsys.readouterr().out
    assert "skipped      cnil: " in out
    assert ("not on PeerTube: give --site DIR" if embed_src else "no videoEmbedSrc") in out
    assert "0 uploaded, 0 written, 0 unchanged, 0 kept, 1 skipped, 0 failed" in out


def test_unknown_video_fails_with_a_clear_message(project, fake, capsys):
    project.add("disparue", f"{fake.base_url}/videos/embed/9c9de5e8-0a1b-4f0e-9e5c-123456789abc")

    assert project.run() == 1

    assert "failed       disparue: video 9c9de5e8-0a1b-4f0e-9e5c-123456789abc not found on localhost:" in capsys.readouterr().err


def test_remote_video_fails_before_any_upload(project, fake, capsys):
    remote = fake.add_video("alice", local=False, origin_host="origin.example")
    project.add("federee", fake.embed_url(remote))

    assert project.run() == 1

    assert puts(fake) == []
    err = capsys.readouterr().err
    assert "is not local to localhost:" in err and "origin instance (origin.example)" in err


def test_video_of_another_user_is_refused_by_the_put_with_a_clear_message(project, fake, capsys, caplog):
    fake.add_user("bob", "bob-password")
    foreign = fake.add_video("bob")
    project.add("a-bob", fake.embed_url(foreign))

    with caplog.at_level(logging.WARNING, logger="subtitler.publish"):
        assert project.run() == 1

    err = capsys.readouterr().err
    assert "refused to let this account manage video" in err
    assert "Cannot manage a video of another user." in err
    assert "account 'alice' neither owns channel 'bob_channel'" in caplog.text


def test_moderator_may_caption_another_users_video(project, fake):
    fake.add_user("mod", "mod-password", role=ROLE_MODERATOR)
    project.env.update(SUBTITLER_PEERTUBE_USERNAME="mod", SUBTITLER_PEERTUBE_PASSWORD="mod-password")
    foreign = fake.add_video("alice")
    project.add("a-alice", fake.embed_url(foreign))

    assert project.run() == 0

    assert fake.caption(foreign, "fr") is not None


def test_unknown_language_shows_the_invalid_params_of_the_problem(project, fake, video, capsys):
    project.add("mots-de-passe", fake.embed_url(video))

    assert project.run("--lang", "zz") == 1

    assert ("400 Bad Request: Incorrect request parameters: captionLanguage "
            "(captionLanguage: Should have a valid caption language)") in capsys.readouterr().err


def test_413_from_the_web_server_is_a_clear_error(tmp_path, capsys):
    with FakePeerTube(body_cap=64) as fake:
        fake.add_user("alice", PASSWORD)
        video = fake.add_video("alice")
        project = Project(tmp_path, fake)
        project.add("mots-de-passe", fake.embed_url(video))

        assert project.run() == 1

    err = capsys.readouterr().err
    assert "refused as too large (413" in err and "6 MB" in err


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"\xef\xbb\xbf" + vtt_text(CUES).encode(), "byte-order mark"),
        (vtt_text(CUES, header="WEBVT").encode(), "not a WEBVTT header"),
        (vtt_text([(2000, 3000, "deux"), (1000, 1500, "un")]).encode(), "cue 2 starts before the previous cue"),
        (b"WEBVTT\n", "no cue"),
    ],
)
def test_invalid_local_caption_fails_before_any_request(project, fake, video, content, expected, capsys):
    project.add("mots-de-passe", fake.embed_url(video), cues=None)
    project.write_caption("mots-de-passe", content)

    assert project.run() == 1

    assert expected in capsys.readouterr().err
    assert fake.requests == []


def test_missing_build_says_to_build_first_before_any_request(project, fake, video, capsys):
    project.add("mots-de-passe", fake.embed_url(video), cues=None)

    assert project.run() == 1

    assert "no finished build of this transcript in the output folder: rebuild first" in capsys.readouterr().err
    assert fake.requests == []


def test_caption_over_20_mib_is_refused_locally(project, fake, video, capsys):
    project.add("mots-de-passe", fake.embed_url(video), cues=None)
    project.write_caption("mots-de-passe", vtt_text(CUES).encode() + b"x" * (20 * 1024 * 1024))

    assert project.run() == 1

    assert "over PeerTube's 20971520-byte limit" in capsys.readouterr().err
    assert fake.requests == []


def test_one_failing_video_does_not_stop_the_others(project, fake, video, capsys):
    remote = fake.add_video("alice", local=False)
    project.add("a-missing", f"{fake.base_url}/w/nOtThErE")
    project.add("b-remote", fake.embed_url(remote))
    project.add("c-good", fake.embed_url(video))
    project.add("d-mp4", "https://videos.example/file.mp4")

    assert project.run() == 1

    assert fake.caption(video, "fr") is not None
    assert "publish: 1 uploaded, 0 written, 0 unchanged, 0 kept, 1 skipped, 2 failed" in capsys.readouterr().out


# -- transient faults -----------------------------------------------------------------------------


def test_429_waits_what_retry_after_says(project, fake, video):
    project.add("mots-de-passe", fake.embed_url(video))
    fake.inject(429, retry_after="7", method="PUT")

    assert project.run() == 0

    assert project.sleeps == [7.0]
    assert fake.caption(video, "fr") is not None


def test_429_asking_longer_than_the_budget_gives_up_at_once(project, fake, video, capsys):
    project.add("mots-de-passe", fake.embed_url(video))
    fake.inject(429, retry_after="3600", method="PUT")

    assert project.run("--max-wait", "60") == 1

    assert project.sleeps == []
    err = capsys.readouterr().err
    assert "429 Too Many Requests: Too many requests, please try again later." in err
    assert "the next wait (3600 s) would exceed the 60 s budget" in err


def test_5xx_is_retried_with_exponential_backoff(project, fake, video):
    project.add("mots-de-passe", fake.embed_url(video))
    fake.inject(503, count=2, method="PUT")

    assert project.run() == 0

    assert project.sleeps == [1.0, 2.0]
    assert len(puts(fake)) == 3 and fake.caption(video, "fr") is not None


def test_5xx_that_persists_fails_after_the_bounded_attempts(project, fake, video, capsys):
    project.add("mots-de-passe", fake.embed_url(video))
    fake.inject(500, count=100, path_prefix="/api/v1/videos/")

    assert project.run("--attempts", "3") == 1

    assert project.sleeps == [1.0, 2.0]
    assert "500 Internal Server Error: Injected fault 500; gave up after 3 attempt(s)" in capsys.readouterr().err


def test_timeout_is_retried(project, fake, video):
    project.add("mots-de-passe", fake.embed_url(video))
    fake.inject(503, delay=1.0, method="GET", path_prefix="/api/v1/videos/")

    assert project.run("--timeout", "0.2") == 0

    assert project.sleeps == [1.0]
    assert fake.caption(video, "fr") is not None


def test_timeouts_that_persist_fail_with_a_clear_message(project, fake, video, capsys):
    project.add("mots-de-passe", fake.embed_url(video))
    fake.inject(503, count=2, delay=1.0, method="GET", path_prefix="/api/v1/videos/")

    assert project.run("--timeout", "0.2", "--attempts", "2") == 1

    assert "no answer within 0.2 s; gave up after 2 attempt(s)" in capsys.readouterr().err


# -- authentication -------------------------------------------------------------------------------


def test_bad_password_fails_every_video_of_the_instance_with_one_login_attempt(project, fake, capsys):
    project.env["SUBTITLER_PEERTUBE_PASSWORD"] = "wrong"
    project.add("a", fake.embed_url(fake.add_video("alice")))
    project.add("b", fake.embed_url(fake.add_video("alice")))

    assert project.run() == 1

    assert capsys.readouterr().err.count("'alice' on localhost:") == 2
    assert len(fake.requests_to("POST", "/api/v1/users/token")) == 1


def test_bad_password_message_names_the_problem(project, fake, video, capsys):
    project.env["SUBTITLER_PEERTUBE_PASSWORD"] = "wrong"
    project.add("a", fake.embed_url(video))

    project.run()

    assert "user name or password refused" in capsys.readouterr().err


def test_no_credentials_fails_with_what_to_set(project, fake, video, capsys):
    del project.env["SUBTITLER_PEERTUBE_PASSWORD"]
    project.add("a", fake.embed_url(video))

    assert project.run() == 1

    assert "set SUBTITLER_PEERTUBE_USERNAME and SUBTITLER_PEERTUBE_PASSWORD" in capsys.readouterr().err


def test_two_factor_account_without_code_says_to_set_the_otp_variable(project, fake, video, capsys):
    fake.users["alice"].otp = "123456"
    project.add("a", fake.embed_url(video))

    assert project.run() == 1

    assert "has two-factor authentication: set SUBTITLER_PEERTUBE_OTP" in capsys.readouterr().err


def test_two_factor_code_is_sent_in_its_header(project, fake, video):
    fake.users["alice"].otp = "123456"
    project.env["SUBTITLER_PEERTUBE_OTP"] = "123456"
    project.add("a", fake.embed_url(video))

    assert project.run() == 0

    [login] = fake.requests_to("POST", "/api/v1/users/token")
    assert login.headers["x-peertube-otp"] == "123456"


def test_wrong_two_factor_code_is_reported(project, fake, video, capsys):
    fake.users["alice"].otp = "123456"
    project.env["SUBTITLER_PEERTUBE_OTP"] = "000000"
    project.add("a", fake.embed_url(video))

    assert project.run() == 1

    assert "two-factor code in SUBTITLER_PEERTUBE_OTP was refused" in capsys.readouterr().err


def test_expired_access_token_is_refreshed_once_and_the_request_retried(project, fake, video):
    project.add("a", fake.embed_url(video))
    project.run()
    fake.advance(fake.access_lifetime + 10)  # the server's clock only: the client still trusts its token
    project.write_caption("a", vtt_text(CUES[:1]))

    assert project.run() == 0

    assert len(fake.requests_to("POST", "/api/v1/users/token")) == 2  # the login, then a refresh
    assert fake.caption(video, "fr") == vtt_text(CUES[:1]).encode()


def test_refused_refresh_token_falls_back_to_the_password(project, fake, video):
    project.add("a", fake.embed_url(video))
    project.run()
    fake.advance(fake.refresh_lifetime + 10)
    project.write_caption("a", vtt_text(CUES[:1]))

    assert project.run() == 0

    assert len(fake.requests_to("POST", "/api/v1/users/token")) == 3  # login, refused refresh, login
    assert fake.caption(video, "fr") == vtt_text(CUES[:1]).encode()


def test_access_token_from_the_environment_is_used_without_login(project, fake, video):
    tokens = fake.issue_tokens("alice")  # as if the user got a token elsewhere
    project.env = {k: v for k, v in project.env.items() if "PASSWORD" not in k and "USERNAME" not in k}
    project.env["SUBTITLER_PEERTUBE_TOKEN"] = tokens["access_token"]
    project.add("a", fake.embed_url(video))

    assert project.run() == 0

    assert fake.requests_to("POST", "/api/v1/users/token") == []
    assert fake.caption(video, "fr") is not None


def test_expired_environment_token_without_password_is_a_clear_failure(project, fake, video, capsys):
    project.env = {k: v for k, v in project.env.items() if "PASSWORD" not in k}
    project.env["SUBTITLER_PEERTUBE_TOKEN"] = "0" * 40
    project.add("a", fake.embed_url(video))

    assert project.run() == 1

    assert "refused the access token given in SUBTITLER_PEERTUBE_TOKEN" in capsys.readouterr().err


def test_oauth_client_is_only_given_to_the_configured_hostname(tmp_path, capsys):
    with FakePeerTube(hostname="tube.example.org") as fake:
        fake.add_user("alice", PASSWORD)
        video = fake.add_video("alice")
        project = Project(tmp_path, fake)
        project.add("a", fake.embed_url(video))

        assert project.run() == 1

    err = capsys.readouterr().err
    assert "Getting client tokens for host localhost:" in err and "is forbidden." in err
    assert "use the instance's public hostname in videoEmbedSrc" in err


# -- credentials files and secrets ------------------------------------------------------------------


def _write_config(project: Project, text: str, mode: int) -> Path:
    path = project.root / "config" / "subtitler" / "peertube.toml"
    path.parent.mkdir(parents=True)
    path.write_text(text, encoding="utf-8")
    os.chmod(path, mode)
    return path


def test_credentials_from_a_private_config_file(project, fake, video):
    project.env = {k: v for k, v in project.env.items() if k.startswith("XDG_")}
    _write_config(project, f'[instances."nobody.example"]\nusername = "nobody"\npassword = "x"\n'
                           f'[instances."{fake.hostname}"]\nusername = "alice"\npassword = "{PASSWORD}"\n', 0o600)
    project.add("a", fake.embed_url(video))

    assert project.run() == 0

    assert fake.caption(video, "fr") is not None


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604])
def test_config_file_others_may_read_is_refused_before_any_request(project, fake, video, mode):
    config = _write_config(project, f'username = "alice"\npassword = "{PASSWORD}"\n', mode)
    project.add("a", fake.embed_url(video))

    with pytest.raises(CredentialsError, match=rf"other users may access it \(mode 0{mode:o}\): run `chmod 600 {config}`"):
        project.run()

    assert fake.requests == []


def test_missing_explicit_config_file_is_an_error(project, tmp_path):
    project.add("a", None)

    with pytest.raises(CredentialsError, match="config file not found"):
        project.run("--config", str(tmp_path / "nope.toml"))


def test_config_file_with_an_unknown_key_is_refused(project):
    _write_config(project, 'user = "alice"\n', 0o600)
    project.add("a", None)

    with pytest.raises(CredentialsError, match="unknown key"):
        project.run()


def test_no_secret_appears_in_any_output(project, fake, capsys, caplog):
    """Logins, 2FA, refreshes, retries and failures, everything logged: no secret anywhere."""
    fake.users["alice"].otp = "918273"
    project.env["SUBTITLER_PEERTUBE_OTP"] = "918273"
    fake.add_user("bob", "bob-password")
    videos = [fake.add_video("alice"), fake.add_video("bob"), fake.add_video("alice")]
    for index, video in enumerate(videos):
        project.add(f"v{index}", fake.embed_url(video))
    project.add("v9-missing", f"{fake.base_url}/w/nOtThErE")
    fake.inject(429, retry_after="1", method="PUT")
    fake.inject(503, method="GET", path_prefix="/api/v1/videos/")

    with caplog.at_level(logging.DEBUG):
        project.run("--verbose")
        fake.advance(fake.access_lifetime + 10)
        for index in (0, 2):
            project.write_caption(f"v{index}", vtt_text(CUES[:1]))
        project.run("--verbose")

    captured = capsys.readouterr()
    everything = captured.out + captured.err + caplog.text
    cache = (project.root / "cache" / "subtitler" / "peertube-tokens.json").read_text()
    secrets = [PASSWORD, "918273", fake.client_secret, *fake.issued_access_tokens, *fake.issued_refresh_tokens]
    assert len(fake.issued_access_tokens) == 2  # a login, then a refresh
    assert "retrying" in everything and "failed" in everything
    for secret in secrets:
        assert secret not in everything
    assert fake.issued_refresh_tokens[-1] in cache  # the private cache is the one place they are


def test_credentials_never_go_over_plain_http_to_another_machine(project, capsys):
    project.env = {k: v for k, v in project.env.items() if k.startswith("XDG_")}
    _write_config(project, f'[instances."tube.invalid"]\nusername = "alice"\npassword = "{PASSWORD}"\n', 0o600)
    project.add("a", "http://tube.invalid/videos/embed/29a30c54-4094-4d0c-8727-cbcbede77360")

    assert project.run() == 1

    assert "refusing to send credentials over plain http; use https" in capsys.readouterr().err


def test_an_instance_named_over_plain_http_is_refused_unless_on_this_machine(project):
    project.add("a", None)
    project.env["SUBTITLER_PEERTUBE_URL"] = "http://tube.example.org"

    with pytest.raises(CredentialsError, match=r"SUBTITLER_PEERTUBE_URL: http://tube.example.org uses plain http"):
        project.run()


def test_unreadable_transcript_fails_naming_its_path_once(project, fake, video, capsys):
    broken = project.transcripts / "broken.md"
    broken.write_text("no front matter\n", encoding="utf-8")
    project.add("good", fake.embed_url(video))

    assert project.run() == 1

    [line] = [line for line in capsys.readouterr().err.splitlines() if "broken" in line]
    assert line.startswith(f"failed       {broken}: ") and line.count(str(broken)) == 1
    assert fake.caption(video, "fr") is not None


# -- credentials belong to one instance (issue 13.1) -------------------------------------------------


@pytest.fixture
def other():
    """A second instance that differs from ``fake`` only by its port, with the same account."""
    with FakePeerTube() as server:
        server.add_user("alice", PASSWORD)
        yield server


def _nothing_reached(server: FakePeerTube) -> None:
    assert server.requests == []  # no token request, no OAuth client, no Authorization or OTP, no upload
    assert server.uploads == [] and server.issued_access_tokens == []


@pytest.mark.parametrize("secret", ["password+otp", "token"])
def test_environment_credentials_go_only_to_the_instance_they_name(project, fake, other, video, secret, capsys):
    elsewhere = other.add_video("alice")
    if secret == "token":
        del project.env["SUBTITLER_PEERTUBE_PASSWORD"]
        project.env["SUBTITLER_PEERTUBE_TOKEN"] = fake.issue_tokens("alice")["access_token"]
    else:
        fake.users["alice"].otp = other.users["alice"].otp = "246810"
        project.env["SUBTITLER_PEERTUBE_OTP"] = "246810"
    project.add("a-here", fake.embed_url(video))
    project.add("b-there", other.embed_url(elsewhere))

    assert project.run() == 0

    assert fake.caption(video, "fr") is not None
    _nothing_reached(other)
    out = capsys.readouterr().out
    assert (f"skipped      b-there: {other.hostname} is not a configured PeerTube instance "
            f"(configured: {fake.hostname}): nothing sent to it") in out


def test_config_file_credentials_go_only_to_their_instance(project, fake, other, video):
    project.env = {k: v for k, v in project.env.items() if k.startswith("XDG_")}
    _write_config(project, f'[instances."{fake.hostname}"]\nusername = "alice"\npassword = "{PASSWORD}"\n', 0o600)
    project.add("a-here", fake.embed_url(video))
    project.add("b-there", other.embed_url(other.add_video("alice")))

    assert project.run() == 0

    assert fake.caption(video, "fr") is not None
    _nothing_reached(other)


def test_the_instance_option_names_the_instance_of_the_environments_credentials(project, fake, other, video):
    elsewhere = other.add_video("alice")
    project.add("a-here", fake.embed_url(video))
    project.add("b-there", other.embed_url(elsewhere))

    assert project.run("--instance", other.base_url) == 0

    assert other.caption(elsewhere, "fr") is not None
    assert fake.requests == []


def test_environment_credentials_without_an_instance_are_refused_before_any_request(project, fake, video):
    del project.env["SUBTITLER_PEERTUBE_URL"]
    project.add("a", fake.embed_url(video))

    with pytest.raises(CredentialsError, match="SUBTITLER_PEERTUBE_USERNAME, SUBTITLER_PEERTUBE_PASSWORD set, "
                                               "but for which instance"):
        project.run()

    assert fake.requests == []


def test_top_level_credentials_in_the_config_file_are_refused(project, fake, video):
    project.env = {k: v for k, v in project.env.items() if k.startswith("XDG_")}
    _write_config(project, f'username = "alice"\npassword = "{PASSWORD}"\n', 0o600)
    project.add("a", fake.embed_url(video))

    with pytest.raises(CredentialsError, match=r'password, username at the top level would belong to no instance: '
                                               r'move them under \[instances."host\[:port\]"\]'):
        project.run()

    assert fake.requests == []


def test_nothing_configured_is_one_usage_error(project, fake, video):
    project.env = {k: v for k, v in project.env.items() if k.startswith("XDG_")}
    project.add("a", fake.embed_url(video))
    project.add("b", fake.embed_url(fake.add_video("alice")))

    with pytest.raises(UsageError, match="nowhere to publish: name the PeerTube instance"):
        project.run()

    assert fake.requests == []


# -- only what the last build made from the transcript as it is now (issue 13.2) -----------------------


def test_a_transcript_edited_since_its_build_is_not_published(project, fake, video, capsys):
    transcript = project.add("a", fake.embed_url(video))
    transcript.write_text(transcript.read_text(encoding="utf-8") + "\nUne phrase ajoutée.\n", encoding="utf-8")

    assert project.run() == 1

    assert ("failed       a: the transcript changed since its last successful build: rebuild first"
            in capsys.readouterr().err)
    assert fake.requests == []


def test_a_caption_not_written_by_the_last_build_is_not_published(project, fake, video, capsys):
    project.add("a", fake.embed_url(video))
    project.write_caption("a", vtt_text(CUES[:1]), built=False)  # an older file, or edited by hand

    assert project.run() == 1

    assert "a.fr.vtt is not the file the last build wrote (changed since): rebuild first" in capsys.readouterr().err
    assert fake.requests == []


def test_a_provisional_build_is_not_published(project, fake, video, capsys):
    project.add("a", fake.embed_url(video))
    manifest = OutputLayout(project.out).video("a").manifest
    data = json.loads(manifest.read_text(encoding="utf-8"))
    data["provisional"] = True
    manifest.write_text(json.dumps(data), encoding="utf-8")

    assert project.run() == 1

    assert "fell back to proportional timing (provisional" in capsys.readouterr().err
    assert fake.requests == []


# -- a caption changed on PeerTube is kept before it is replaced (issue 13.3) ----------------------------


HAND_EDITED = [(1000, 3500, "Bonjour à toutes et à tous."), (3600, 6000, "Aujourd'hui :\nles mots de passe.")]


def test_a_caption_edited_on_peertube_is_kept_before_being_replaced(project, fake, video, capsys):
    project.add("a", fake.embed_url(video))
    assert project.run() == 0
    fake.set_caption(video, "fr", vtt_text(HAND_EDITED).encode())  # someone edits it in PeerTube's UI
    project.write_caption("a", vtt_text(CUES[:1]))  # and a new build changes ours
    project.now += 3600

    assert project.run() == 0

    kept = project.out / "a" / "published" / "20270115T090000Z.fr.vtt"
    assert kept.read_bytes() == vtt_text(HAND_EDITED).encode()
    assert fake.caption(video, "fr") == vtt_text(CUES[:1]).encode()
    assert f"the caption it replaced (not uploaded by subtitler) is kept in {kept}" in capsys.readouterr().out


def test_a_caption_this_tool_uploaded_is_replaced_without_a_copy(project, fake, video):
    project.add("a", fake.embed_url(video))
    assert project.run() == 0
    project.write_caption("a", vtt_text(CUES[:1]))

    assert project.run() == 0

    assert fake.caption(video, "fr") == vtt_text(CUES[:1]).encode()
    assert not (project.out / "a" / "published").exists()


def test_dry_run_says_how_many_cues_change_and_that_a_copy_would_be_kept(project, fake, video, capsys):
    fake.set_caption(video, "fr", vtt_text(HAND_EDITED).encode())
    project.add("a", fake.embed_url(video))

    assert project.run("-n") == 0

    out = capsys.readouterr().out
    assert ("would upload a: fr caption to " in out and "(changed: 1 of 2 cue(s) differ); the current caption "
            "was not uploaded by subtitler: a copy would be kept" in out)
    assert puts(fake) == [] and not (project.out / "a" / "published").exists()
    assert fake.caption(video, "fr") == vtt_text(HAND_EDITED).encode()


# -- the publish report (issue 13.4) ------------------------------------------------------------------------


def test_the_report_says_per_video_what_was_done_why_and_the_caption_before_and_after(project, fake, video):
    fake.set_caption(video, "fr", vtt_text(HAND_EDITED).encode(), automatic=True)
    project.add("a", fake.embed_url(video))
    project.add("b", "https://videos.example/file.mp4")

    assert project.run() == 0

    report = project.report()
    assert report["dry_run"] is False and report["started"] == "2027-01-15T08:00:00Z"
    assert report["summary"] == {"skipped": 1, "uploaded": 1}
    a, b = report["videos"]
    assert a["status"] == "uploaded" and a["target"] == "peertube" and a["time"] == "2027-01-15T08:00:00Z"
    assert a["destination"] == f"{fake.base_url}/videos/watch/{video.uuid}"
    assert "automatic caption replaced: 1 of 2 cue(s) differ" in a["message"]
    assert a["before"] == {"cues": 2, "sha256": cues_sha256(cues_from_vtt(vtt_text(HAND_EDITED))),
                           "by_subtitler": False, "automatic": True}
    assert a["after"] == {"cues": 2, "sha256": cues_sha256(cues_from_vtt(vtt_text(CUES))),
                          "by_subtitler": True, "automatic": False}
    assert a["copy"] == str(project.out / "a" / "published" / "20270115T080000Z.fr.vtt")
    assert b["status"] == "skipped" and "give --site DIR" in b["message"] and b["before"] is None


def test_the_report_of_a_dry_run_has_no_after_state(project, fake, video):
    project.add("a", fake.embed_url(video))

    project.run("--dry-run")

    [entry] = project.report()["videos"]
    assert project.report()["dry_run"] is True
    assert entry["status"] == "would upload" and entry["before"] is None and entry["after"] is None


def test_quiet_prints_only_failures(project, fake, video, capsys):
    project.add("a-good", fake.embed_url(video))
    project.add("b-stale", fake.embed_url(fake.add_video("alice")), cues=None)

    assert project.run("-q") == 1

    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("failed       b-stale: ") and captured.err.count("\n") == 1


def test_after_a_failed_rebuild_the_old_caption_is_not_published(project, fake, video, monkeypatch, capsys):
    """The real build: built and published, then the transcript is edited and its rebuild fails."""
    from media_helpers import make_mp4
    from subtitler.cli import main

    (project.root / "media").mkdir()
    media = make_mp4(project.root / "media" / "a.mp4", 12.0)
    transcript = project.add("a", fake.embed_url(video), cues=None)
    monkeypatch.chdir(project.root)
    assert main(["build", "--timing", "proportional", "-q"]) == 0
    assert project.run() == 0 and len(puts(fake)) == 1

    transcript.write_text(transcript.read_text(encoding="utf-8").replace("Bonjour", "Bonsoir"), encoding="utf-8")
    media.write_bytes(b"not a video any more")
    assert main(["build", "--timing", "proportional", "-q"]) == 1
    capsys.readouterr()

    assert project.run() == 1

    assert "the transcript changed since its last successful build: rebuild first" in capsys.readouterr().err
    assert len(puts(fake)) == 1
