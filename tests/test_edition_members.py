"""An edition's members from the edition: a chapter-only PDF (no member table) that names a new partner is
refused in one line naming the page until a person adds the member with `renkei pin --member`; then it
builds with the new member and its code. `renkei pin BUILD` takes a whole vision's members in."""

from __future__ import annotations

import dataclasses
import json
import shutil
import subprocess
import sys

import pytest

from pipeline.errors import ParseError
from pipeline.normalizers import municipalities
from pipeline.pin import run_pin
from pipeline.stages.build import build
from tests.conftest import ROOT, Build
from tests.printers import producers
from tests.printers.content import content_from_build
from tests.printers.html import HtmlStyle, plan_html

NEW_MEMBER = ("栗山町", "014290")


@pytest.fixture()
def reviewed(tmp_path, monkeypatch):
    """A copy of the reviewed members file that the build and pin read instead of the repository's."""
    path = tmp_path / "members.csv"
    shutil.copy(municipalities.MEMBERS_FILE, path)
    monkeypatch.setattr(municipalities, "MEMBERS_FILE", path)
    return path


@pytest.fixture(scope="module")
def chapter_with_new_partner(tmp_path_factory, plan_build):
    """The chapter alone, printed by Chromium, one explicit 連携市町村 list naming a town that is not a member."""
    content = content_from_build(plan_build)
    listed = next(p for p in content.projects if p.municipalities != "全市町村")
    projects = [dataclasses.replace(p, municipalities=p.municipalities + "、" + NEW_MEMBER[0]) if p is listed else p
                for p in content.projects]
    pdf = tmp_path_factory.mktemp("member") / "plan.pdf"
    producers.chromium(plan_html(dataclasses.replace(content, projects=projects), HtmlStyle(paper="A4")), pdf)
    return pdf, listed.no


def test_a_new_partner_in_a_chapter_only_edition_is_refused_naming_the_page(chapter_with_new_partner, tmp_path,
                                                                          reviewed):
    pdf, no = chapter_with_new_partner
    with pytest.raises(ParseError, match=rf"project {no} \(page \d+.*{NEW_MEMBER[0]}.*not a partner.*"
                                         r"renkei pin --member"):
        build(pdf, None, tmp_path / "out", progress=False)
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_the_cli_refusal_is_one_line(chapter_with_new_partner, tmp_path):
    pdf, no = chapter_with_new_partner
    result = subprocess.run([sys.executable, "-m", "pipeline", "--no-progress", "build", "--pdf", str(pdf),
                             "--out", str(tmp_path / "out")], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 2 and len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert NEW_MEMBER[0] in result.stderr and "Traceback" not in result.stderr


def test_once_pinned_the_new_partner_builds_with_its_code(chapter_with_new_partner, tmp_path, reviewed, capsys):
    pdf, no = chapter_with_new_partner
    assert run_pin(None, add_members=[NEW_MEMBER[0]], members_file=reviewed) == 0
    assert f"+partner,{NEW_MEMBER[0]}" in capsys.readouterr().out
    assert reviewed.read_text(encoding="utf-8").splitlines()[-1] == f"partner,{NEW_MEMBER[0]}"
    out = tmp_path / "out"
    build(pdf, None, out, progress=False)
    pm = Build(out)["project_municipalities"]
    mine = pm[pm.project_no == no].sort_values("list_order")
    assert mine.municipality.tolist()[-1] == NEW_MEMBER[0] and mine.lg_code.tolist()[-1] == NEW_MEMBER[1]
    # 全市町村 now means the twelve partners
    projects = Build(out)["projects"]
    every = projects[projects.municipalities_raw == "全市町村"].project_no.tolist()
    assert every and all((pm.project_no == n).sum() == 12 for n in every)


def test_pin_refuses_a_name_that_is_no_municipality_or_already_a_member(reviewed, capsys):
    before = reviewed.read_text(encoding="utf-8")
    assert run_pin(None, add_members=["存在しない町"], members_file=reviewed) == 2
    assert run_pin(None, add_members=["小樽市"], members_file=reviewed) == 2
    assert run_pin(None, members_file=reviewed) == 2
    assert reviewed.read_text(encoding="utf-8") == before


def test_pin_takes_a_whole_visions_members_in(tmp_path, reviewed, capsys):
    """A build whose manifest read 12 members from the PDF's member tables: pin writes them."""
    build_dir = tmp_path / "build"
    build(ROOT / "raw" / "plan_whole.pdf", None, build_dir, progress=False)
    manifest = json.loads((build_dir / "manifest.json").read_text(encoding="utf-8"))
    members = manifest["sources"]["plan"]["members"]
    assert members["source"] == "document"
    members["partners"].append(NEW_MEMBER[0])
    (build_dir / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
    params, walk = tmp_path / "params.yaml", tmp_path / "ids.csv"
    shutil.copy(ROOT / "params.yaml", params)
    shutil.copy(ROOT / "schemas" / "project_ids.csv", walk)
    assert run_pin(build_dir, params, walk, members_file=reviewed) == 0
    assert municipalities.read_members(reviewed).partners[-1] == NEW_MEMBER[0]


def test_the_report_and_review_name_members_that_differ_from_the_reviewed_ones():
    """The gate stops on a member change: the pages a person reads before `renkei pin` say which."""
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    from pipeline.publish.attention import attention
    manifest = {"sources": {"plan": {"members": {"changed": {"joined": ["栗山町<b>"], "left": []}}}}}
    block = attention(manifest, {"results": []})
    assert block["members"] == {"joined": ["栗山町<b>"], "left": []} and "joined: 栗山町<b>" in block["line"]
    assert attention({"sources": {"plan": {"members": {}}}}, None)["members"] is None
    env = Environment(loader=FileSystemLoader(str(ROOT / "pipeline" / "publish" / "templates")),
                      autoescape=select_autoescape(["html", "j2"]))
    html = env.get_template("attention.html.j2").render(attention=block, project_href=lambda no: "",
                                                        failure_href=lambda s: "", validation_path=None)
    assert "joined: 栗山町&lt;b&gt;" in html and "Nothing" not in html
