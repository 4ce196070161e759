"""Every command, finding code and module is documented in the README."""
import re

from click.testing import CliRunner

from reconcile.cli import main

from conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_every_command_is_in_the_readme():
    missing = [name for name in main.commands if f"kb {name}" not in README]
    assert missing == []


def test_every_finding_code_is_in_the_readme():
    shapes = "".join(p.read_text() for p in (ROOT / "shapes").glob("*.ttl"))
    codes = set(re.findall(r'kb:code "([a-z-]+)"', shapes))
    codes |= set(re.findall(r'"((?:quote|source)-[a-z]+)"', (ROOT / "scripts" / "reconcile" / "checks.py").read_text()))
    codes |= set(re.findall(r'"(claim-[a-z-]+)"', (ROOT / "scripts" / "reconcile" / "carried.py").read_text()))
    codes |= {"quote-changed", "quote-vanished"}
    missing = sorted(code for code in codes if f"`{code}`" not in README)
    assert len(codes) > 30 and missing == []


def test_every_module_is_in_the_readmes_map_of_the_code():
    package = ROOT / "scripts" / "reconcile"
    modules = {p.stem for p in package.glob("*.py") if p.stem != "__init__"}
    modules |= {p.stem for p in (package / "shacl").glob("*.py") if p.stem != "__init__"}
    code_map = README[README.index("Where the code lives"):]
    code_map = code_map[:code_map.index("\n## ")]
    missing = sorted(name for name in modules if f"`{name}`" not in code_map)
    assert len(modules) > 50 and missing == [], f"add these modules to the README's map of the code: {missing}"


def test_help_documents_exit_codes():
    assert "0 clean, 1 findings" in CliRunner().invoke(main, ["--help"]).output


def test_readme_says_sources_are_third_party_and_not_medical_advice():
    assert "Third-party material" in README and "Not medical advice" in README
