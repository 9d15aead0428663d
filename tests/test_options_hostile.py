"""Options are input too: hostile option values, build on other data, writing through links.

Every bad value gets one clear line naming what is wrong, exit 1 (bad input, a failed lookup)
or 2 (click's usage error for a bad option value), no traceback, and nothing written.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import pytest
import sistercities.export
from click.testing import Result
from helpers import DATA, MINIMAL, SCRIPT, TWINS, invoke, run_script
from sistercities.export import BUILD_FILES, WORLD_EXPORTS, export_bytes
from sistercities.rdf import BaseIriError, base_iri

HUGE = str(10**100)


def _one_clear_error(result: Result, code: int, *needles: str) -> str:
    """The one ``Error:`` line of a failed command, checked: exit code, no traceback."""
    assert result.exit_code == code, result.output
    assert isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1, result.stderr
    for needle in needles:
        assert needle in errors[0], errors[0]
    return errors[0]


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


# ---------------------------------------------------------------------------------------------
# --base-iri


BAD_BASE_IRIS = {
    "a space": ("https://ex.org/a b/", "holds a space at position 17"),
    "no scheme": ("ex.org/id/", "has no scheme"),
    "relative": ("../id/", "has no scheme"),
    "javascript": ("javascript:alert(1)//", "it must be http or https"),
    "a control character": ("https://ex.org/\x07id/", "control character U+0007"),
    "a newline": ("https://ex.org/id/\n", "control character U+000A"),
    "a bidi override": ("https://ex.org/\u202eid/", "bidirectional control U+202E"),
    "<": ("https://ex.org/<id>/", "holds '<'"),
    "a quote": ('https://ex.org/"/', "holds '\"'"),
    "a brace": ("https://ex.org/{id}/", "holds '{'"),
    "empty": ("", "is empty"),
    "no host": ("https:///id/", "has no host"),
    "bad percent-encoding": ("https://ex.org/%zz/", "percent encoding"),
    "a second fragment": ("https://ex.org/a#b#", "not a valid IRI"),
}


@pytest.mark.parametrize("value, message", BAD_BASE_IRIS.values(), ids=BAD_BASE_IRIS)
def test_the_library_refuses_a_bad_base_iri_saying_why(value: str, message: str) -> None:
    with pytest.raises(BaseIriError, match="the base IRI .*" + re.escape(message)):
        base_iri(value)


def test_a_good_base_iri_is_kept_or_given_its_slash() -> None:
    assert base_iri("https://example.org/id/") == "https://example.org/id/"
    assert base_iri("http://example.org/vocab#") == "http://example.org/vocab#"
    assert base_iri("https://example.org/id") == "https://example.org/id/"
    assert base_iri("https://例え.jp/識別子/") == "https://例え.jp/識別子/"


def test_json_ld_is_never_written_with_a_broken_base() -> None:
    dataset = sistercities.load_dataset(MINIMAL)
    with pytest.raises(BaseIriError):
        export_bytes(dataset, "json-ld", "https://ex.org/a b/")
    with pytest.raises(BaseIriError):
        sistercities.build_exports(dataset, "/nonexistent/never-written", "https://ex.org/a b/")


BASE_IRI_COMMANDS = {
    "export": ["export"],
    "export -o": ["export", "-o", "{out}/x.jsonld"],
    "sparql": ["sparql", "ASK { ?s ?p ?o }"],
    "build": ["build", "--out", "{out}"],
    "serve": ["serve", "--port", "0"],
    "publish": ["publish", "--endpoint", "http://127.0.0.1:9/", "--dry-run"],
}


@pytest.mark.parametrize("command", BASE_IRI_COMMANDS.values(), ids=BASE_IRI_COMMANDS)
@pytest.mark.parametrize("value, message", BAD_BASE_IRIS.values(), ids=BAD_BASE_IRIS)
def test_every_command_refuses_a_bad_base_iri_before_doing_anything(
    tmp_path: Path, command: list[str], value: str, message: str
) -> None:
    out = tmp_path / "out"
    args = [part.replace("{out}", str(out)) for part in command]
    result = invoke(*args, "--base-iri", value, data=MINIMAL)
    _one_clear_error(result, 2, "Invalid value for '--base-iri'", message)
    assert result.stdout == ""
    assert not out.exists()


def test_a_bad_base_iri_from_the_environment_is_refused_too(tmp_path: Path) -> None:
    result = invoke(
        "build", "--out", str(tmp_path / "out"), data=MINIMAL, env={"SISTERCITIES_BASE_IRI": "x y"}
    )
    _one_clear_error(result, 2, "'--base-iri'", "holds a space")
    assert not (tmp_path / "out").exists()


def test_a_base_iri_without_its_slash_gets_one_in_every_iri() -> None:
    result = invoke("export", "--format", "json-ld", "--base-iri", "https://ex.org/id", data=TWINS)
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["@context"]["place"] == "https://ex.org/id/place/"


# ---------------------------------------------------------------------------------------------
# build on other data


def test_build_on_data_without_jakarta_writes_the_rest_and_says_so(tmp_path: Path) -> None:
    result = invoke("build", "--out", str(tmp_path), data=TWINS)
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    assert sorted(_files(tmp_path)) == sorted(set(BUILD_FILES) - {"jakarta.html"})
    notes = [line for line in result.stderr.splitlines() if "jakarta" in line]
    assert notes == [
        "note: the data has no place 'jakarta': jakarta.html is not written "
        "(--focus-page PLACE writes another place's page)"
    ]


def test_the_focus_page_is_configurable_by_name(tmp_path: Path) -> None:
    result = invoke("build", "--out", str(tmp_path), "--focus-page", "SAO PAULO", data=TWINS)
    assert result.exit_code == 0, result.output
    assert f"wrote {tmp_path / 'sao-paulo.html'}" in result.stdout.splitlines()[-1]
    page = (tmp_path / "sao-paulo.html").read_text(encoding="utf-8")
    assert "<title>São Paulo&#x27;s sister cities and theirs (two ties away)</title>" in page
    assert "jakarta" not in result.stderr


def test_an_unknown_focus_page_place_is_an_error_naming_the_option(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = invoke("build", "--out", str(out), "--focus-page", "jakarta", data=TWINS)
    _one_clear_error(result, 1, "--focus-page", "'jakarta'")
    assert not out.exists()


def test_build_world_writes_its_files_and_a_focus_page_only_when_asked(tmp_path: Path) -> None:
    plain = invoke("build", "--world", "--out", str(tmp_path / "a"), data=TWINS)
    assert plain.exit_code == 0, plain.output
    assert sorted(_files(tmp_path / "a")) == sorted(WORLD_EXPORTS)
    assert "note:" not in plain.stderr
    focused = invoke(
        "build", "--world", "--out", str(tmp_path / "b"), "--focus-page", "lyon", data=TWINS
    )
    assert focused.exit_code == 0, focused.output
    assert sorted(_files(tmp_path / "b")) == sorted([*WORLD_EXPORTS, "lyon.html"])


def test_build_failing_midway_leaves_the_old_exports_byte_identical(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert invoke("build", "--out", str(tmp_path), data=MINIMAL).exit_code == 0
    before = _files(tmp_path)

    def shapes_then_a_full_disk(dataset: object, out: object, base: str) -> None:
        out.write(b"@prefix half: <")  # type: ignore[attr-defined]
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(sistercities.export, "_write_shapes", shapes_then_a_full_disk)
    result = invoke("build", "--out", str(tmp_path), data=TWINS)
    _one_clear_error(result, 1, "shapes.ttl", "No space left on device")
    assert result.stdout == ""
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
    assert _files(tmp_path) == before


def test_build_meeting_a_folder_in_place_of_a_file_changes_no_export(tmp_path: Path) -> None:
    """A real file system condition: the last file's rename fails after the others'."""
    assert invoke("build", "--out", str(tmp_path), data=TWINS).exit_code == 0
    before = _files(tmp_path)
    (tmp_path / "jakarta.html").mkdir()
    result = invoke("build", "--out", str(tmp_path), data=MINIMAL)
    _one_clear_error(result, 1, "jakarta.html", "Is a directory")
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
    assert _files(tmp_path) == before


def test_build_into_a_path_below_a_file_writes_nothing(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x", encoding="utf-8")
    result = invoke("build", "--out", str(tmp_path / "file" / "exports"), data=MINIMAL)
    _one_clear_error(result, 1, "cannot write", "Not a directory")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file"]


# ---------------------------------------------------------------------------------------------
# -o through a link


def test_export_and_viz_write_through_a_link_and_keep_it(tmp_path: Path) -> None:
    real = tmp_path / "real"
    real.mkdir()
    for name, command in (("x.ttl", ["export"]), ("x.html", ["viz"])):
        (real / name).write_text("stale", encoding="utf-8")
        link = tmp_path / name
        link.symlink_to(Path("real") / name)
        result = invoke(*command, "-o", str(link), data=MINIMAL)
        assert result.exit_code == 0, result.output
        assert link.is_symlink()
        assert (real / name).read_text(encoding="utf-8") != "stale"
    assert (real / "x.ttl").read_bytes().startswith(b"@prefix")
    assert sorted(p.name for p in real.iterdir()) == ["x.html", "x.ttl"]


def test_build_writes_through_links_in_the_exports_folder(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    out = tmp_path / "exports"
    out.mkdir()
    for name in ("sister-cities.ttl", "partnerships.csv"):
        (elsewhere / name).write_text("stale", encoding="utf-8")
        (out / name).symlink_to(elsewhere / name)
    result = invoke("build", "--out", str(out), data=MINIMAL)
    assert result.exit_code == 0, result.output
    for name in ("sister-cities.ttl", "partnerships.csv"):
        assert (out / name).is_symlink()
        assert (elsewhere / name).read_bytes() == export_bytes(
            sistercities.load_dataset(MINIMAL), "turtle" if name.endswith(".ttl") else "csv"
        )
    assert sorted(p.name for p in elsewhere.iterdir()) == ["partnerships.csv", "sister-cities.ttl"]


@pytest.mark.slow
def test_a_link_loop_and_a_dangling_link_as_a_real_process(tmp_path: Path) -> None:
    (tmp_path / "a.ttl").symlink_to("b.ttl")
    (tmp_path / "b.ttl").symlink_to("a.ttl")
    loop = run_script("--data", str(MINIMAL), "export", "-o", "a.ttl", cwd=tmp_path)
    assert loop.returncode == 1, loop.stderr
    assert loop.stderr == "Error: cannot write a.ttl: it is a loop of symbolic links\n"
    (tmp_path / "new.nt").symlink_to("written.nt")
    dangling = run_script("--data", str(MINIMAL), "export", "-o", "new.nt", cwd=tmp_path)
    assert dangling.returncode == 0, dangling.stderr
    assert (tmp_path / "new.nt").is_symlink()
    assert (tmp_path / "written.nt").read_bytes().startswith(b"<")


def test_a_fifo_as_output_is_refused_not_replaced(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "out.ttl")
    result = invoke("export", "-o", str(tmp_path / "out.ttl"), data=MINIMAL)
    _one_clear_error(result, 1, "is not a regular file (a FIFO)")
    assert not (tmp_path / "out.ttl").is_file()


# ---------------------------------------------------------------------------------------------
# sparql --bind and query files; store URLs; timeouts


@pytest.mark.parametrize("name", ["x y", "-1", "a.b", "a-b", "?", "x\x00", HUGE[:5] + "-"])
def test_a_bind_with_a_bad_variable_name_is_a_usage_error(name: str) -> None:
    result = invoke("sparql", "--bind", f"{name}=place:jakarta", "ASK { ?s ?p ?o }", data=MINIMAL)
    _one_clear_error(result, 2, "is not a SPARQL variable name")


def test_a_query_file_that_is_not_utf8_names_the_file_and_line(tmp_path: Path) -> None:
    query = tmp_path / "q.rq"
    query.write_bytes(b"SELECT * WHERE {\n  ?s ?p ?o } # caf\xe9\n")
    result = invoke("sparql", "-f", str(query), data=MINIMAL)
    _one_clear_error(result, 1, f"{query}:2: the query is not UTF-8", "0xe9")


def test_a_query_from_stdin_that_is_not_utf8_is_one_clear_error(tmp_path: Path) -> None:
    query = tmp_path / "q.rq"
    query.write_bytes(b"ASK { ?s ?p ?o } # \xff")
    with query.open("rb") as stdin:
        result = subprocess.run(
            [str(SCRIPT), "--no-cache", "--data", str(MINIMAL), "sparql", "-f", "-"],
            stdin=stdin,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    assert result.returncode == 1
    assert result.stderr == (
        "Error: stdin:1: the query is not UTF-8 text (byte 0xff at offset 19)\n"
    )


def test_a_query_file_that_never_ends_is_refused(tmp_path: Path) -> None:
    result = invoke("sparql", "-f", "/dev/zero", data=MINIMAL)
    _one_clear_error(result, 1, "/dev/zero: error[not-a-file]: a character device")
    long = tmp_path / "long.rq"
    with long.open("wb") as file:
        file.truncate(16 * 1024 * 1024 + 1)
    result = invoke("sparql", "-f", str(long), data=MINIMAL)
    _one_clear_error(result, 1, f"{long}: error[file-too-large]")


def test_a_query_file_that_is_a_fifo_is_refused_at_once(tmp_path: Path) -> None:
    fifo = tmp_path / "q.rq"
    os.mkfifo(fifo)
    result = subprocess.run(
        [str(SCRIPT), "--no-cache", "--data", str(MINIMAL), "sparql", "-f", str(fifo)],
        capture_output=True,
        text=True,
        timeout=30,  # opening a FIFO for reading blocks until a writer comes: a hang fails
        check=False,
    )
    assert result.returncode == 1
    assert result.stderr == (
        f"Error: {fifo}: error[not-a-file]: a FIFO (named pipe), not a regular file: only "
        "regular files are read\n"
    )


@pytest.mark.parametrize("kind", ["folder", "missing"])
def test_a_query_file_that_is_a_folder_or_missing_is_one_clear_error(
    tmp_path: Path, kind: str
) -> None:
    if kind == "folder":
        (tmp_path / "q.rq").mkdir()
    result = invoke("sparql", "-f", str(tmp_path / "q.rq"), data=MINIMAL)
    message = "a folder, not a file" if kind == "folder" else "no such file or folder"
    _one_clear_error(result, 1, f"{tmp_path / 'q.rq'}: error[", message)


BAD_URLS = {
    "port 99999": ("http://127.0.0.1:99999/", "not a valid URL: port out of range 0-65535"),
    "a negative port": ("http://127.0.0.1:-1/", "not a valid URL: port could not be cast"),
    "a port that is no number": ("http://127.0.0.1:http/", "not a valid URL: port could not"),
    "no host": ("http:///sparql", "is not an http(s) URL"),
    "ftp": ("ftp://127.0.0.1/", "is not an http(s) URL"),
    "javascript": ("javascript:alert(1)", "is not an http(s) URL"),
    "empty": ("", "URL"),
    "a broken IPv6 host": ("http://[::1/sparql", "a URL is not a valid URL: invalid IPv6 URL"),
}


@pytest.mark.parametrize("url, message", BAD_URLS.values(), ids=BAD_URLS)
@pytest.mark.parametrize("command", ["publish", "sparql"])
def test_a_bad_store_url_is_one_clear_error(command: str, url: str, message: str) -> None:
    extra = ["--dry-run"] if command == "publish" else ["ASK { ?s ?p ?o }"]
    result = invoke(command, "--endpoint", url, *extra, data=MINIMAL)
    assert result.exit_code in (1, 2)
    _one_clear_error(result, result.exit_code, message)


@pytest.mark.parametrize("value", ["0", "-1", "nan", "inf", "1e400", HUGE, "", "soon"])
def test_a_timeout_that_is_no_usable_number_of_seconds_is_a_usage_error(value: str) -> None:
    result = invoke(
        "sparql", "--endpoint", "http://127.0.0.1:9/", "--timeout", value, "ASK {}", data=MINIMAL
    )
    _one_clear_error(result, 2, "'--timeout'")


# ---------------------------------------------------------------------------------------------
# paths and numbers


OUTPUT_OPTIONS = {
    "export -o": ["export", "-o"],
    "viz -o": ["viz", "-o"],
    "schema -o": ["schema", "-o"],
    "build --out": ["build", "--out"],
    "stats --plot": ["stats", "--plot"],
}


@pytest.mark.parametrize("command", OUTPUT_OPTIONS.values(), ids=OUTPUT_OPTIONS)
@pytest.mark.parametrize("value, message", [("", "is empty"), ("a\x00b", "holds a NUL")])
def test_an_empty_output_path_or_one_with_a_nul_is_a_usage_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: list[str], value: str, message: str
) -> None:
    monkeypatch.chdir(tmp_path)
    result = invoke(*command, value, data=MINIMAL)
    _one_clear_error(result, 2, message)
    assert list(tmp_path.iterdir()) == []


NUMBERS = ["-1", "0", HUGE, "-" + HUGE, ""]
NUMBER_OPTIONS = [
    ["partners", "lyon", "--since"],
    ["partners", "lyon", "--until"],
    ["partners", "lyon", "--as-of"],
    ["visits", "--year"],
    ["path", "lyon", "porto", "--max-hops"],
    ["stats", "--top"],
    ["viz", "-o", "{out}", "--from"],
    ["viz", "-o", "{out}", "--to"],
    ["viz", "-o", "{out}", "--depth"],
    ["viz", "-o", "{out}", "--layout"],
    ["publish", "--endpoint", "http://127.0.0.1:9/", "--dry-run", "--chunk-triples"],
    ["serve", "--port"],
]
# `serve --port 0` is a valid port: serve would listen.
NUMBER_CASES = [
    (command, value)
    for command in NUMBER_OPTIONS
    for value in NUMBERS
    if not (command[0] == "serve" and value == "0")
]


@pytest.mark.parametrize(
    "command, value", NUMBER_CASES, ids=[f"{' '.join(c)} {v[:8]!r}" for c, v in NUMBER_CASES]
)
def test_hostile_numbers_in_options_never_end_in_a_traceback(
    tmp_path: Path, command: list[str], value: str
) -> None:
    args = [part.replace("{out}", str(tmp_path / "x.html")) for part in command]
    result = invoke(*args, value, data=TWINS)
    assert "Traceback" not in result.output
    assert result.exit_code in (0, 1, 2), result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    if result.exit_code:
        assert len([line for line in result.stderr.splitlines() if "Error" in line]) == 1


@pytest.mark.slow
def test_the_curated_build_is_unchanged_by_the_focus_option(tmp_path: Path) -> None:
    default = invoke("build", "--out", str(tmp_path / "a"), data=DATA)
    given = invoke("build", "--out", str(tmp_path / "b"), "--focus-page", "Jakarta", data=DATA)
    assert default.exit_code == given.exit_code == 0
    assert _files(tmp_path / "a") == _files(tmp_path / "b")
    assert sorted(_files(tmp_path / "a")) == sorted(BUILD_FILES)


def test_the_focus_page_place_completes_from_the_data(cache_dir: Path) -> None:
    from click.shell_completion import ShellComplete
    from sistercities.cli import cli

    complete = ShellComplete(cli, {}, "sistercities", "_SISTERCITIES_COMPLETE")
    args = ["--data", str(TWINS), "build", "--focus-page"]
    assert [item.value for item in complete.get_completions(args, "sa")] == ["sao-paulo"]


@pytest.mark.parametrize(
    "args",
    [
        ["--endpoint", "http://127.0.0.1:9/", "--user", "dba\r\nX-Injected: 1"],
        ["--endpoint", "http://dba%0D%0AX-Injected:%201@127.0.0.1:9/"],
        ["--endpoint", "http://127.0.0.1:9/", "--user", "dba\x00"],
    ],
    ids=["option", "url", "nul"],
)
def test_a_user_name_with_a_control_character_is_refused_before_any_request(
    args: list[str],
) -> None:
    result = invoke("publish", *args, "--dry-run", data=MINIMAL)
    _one_clear_error(result, 1, "the user name holds a control character")
    assert "X-Injected" not in result.output
