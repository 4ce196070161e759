"""Claims are attributed to a described editor: given with --by, remembered in the user's config, or asked once."""
import pytest
from click.testing import CliRunner

from reconcile.cli import main
from reconcile.errors import KbError
from reconcile.identity import config_file, remembered_editor, resolve_editor
from reconcile.load import load

from conftest import SHAPES, tree_digest

CLAIM = ["--source", "a", "--topic", "nsaid-stop-before", "--context", "before-treatment",
         "--quote", "Clinic A aftercare sheet", "--value", "3 days"]


def run(*args, input=None):
    return CliRunner().invoke(main, [str(a) for a in args], input=input, catch_exceptions=False)


def test_a_new_user_without_by_is_told_how_to_say_who_they_are(kb_dir, new_user):
    before = tree_digest(kb_dir)
    result = run("add-claim", "--kb", kb_dir, "--shapes", SHAPES, *CLAIM)
    assert result.exit_code == 2
    assert f"Say who is adding this: pass --by YOUR-ID (an editor described in kb/editors.ttl) once; it is remembered in {config_file()}." in result.output
    assert tree_digest(kb_dir) == before and not config_file().exists()


def test_the_first_accepted_id_is_remembered(kb_dir, new_user):
    result = run("add-claim", "--kb", kb_dir, "--shapes", SHAPES, "--by", "test", *CLAIM)
    assert result.exit_code == 0, result.output
    assert f"Remembered you as editor test in {config_file()}; later commands need no --by." in result.output
    assert remembered_editor() == "test"
    again = run("new-topic", "--kb", kb_dir, "--id", "x-after", "--label", "X", "--definition", "X?", "--kind", "YesNo",
                "--safety", "Low")
    assert again.exit_code == 0
    page = kb_dir.parent / "n.txt"
    page.write_text("New page\n\nAvoid saunas for 2 days.\n")
    assert run("add-source", "--kb", kb_dir, page, "--title", "N").exit_code == 0
    assert load(kb_dir).claim("a-nsaid-stop-before").added_by == "test"


def test_an_editor_not_described_is_refused_and_not_remembered(kb_dir, new_user):
    before = tree_digest(kb_dir)
    result = run("add-claim", "--kb", kb_dir, "--shapes", SHAPES, "--by", "root", *CLAIM)
    assert result.exit_code == 2
    assert (f"{kb_dir / 'editors.ttl'}: editor 'root' is not described (known: ed, kb-editors, rev, test). Describe yourself "
            "with `kb add-editor root --name \"Your Name\"`, or pass --by with a known id.") in result.output
    assert tree_digest(kb_dir) == before and not config_file().exists()


def test_add_editor_describes_an_editor_and_keeps_the_file(kb_dir, new_user):
    path = kb_dir / "editors.ttl"
    before = path.read_text()
    result = run("add-editor", "--kb", kb_dir, "jane-doe", "--name", "Jane Doe")
    assert result.exit_code == 0, result.output
    assert path.read_text() == before + '\neditor:jane-doe a prov:Agent, prov:Person ;\n    foaf:name "Jane Doe" .\n'
    added = run("add-claim", "--kb", kb_dir, "--shapes", SHAPES, "--by", "jane-doe", *CLAIM)
    assert added.exit_code == 0 and load(kb_dir).claim("a-nsaid-stop-before").added_by == "jane-doe"
    twice = run("add-editor", "--kb", kb_dir, "jane-doe", "--name", "Jane Doe")
    assert twice.exit_code == 2 and "editor 'jane-doe' is already described" in twice.output


def test_interactive_commands_ask_once(kb_dir, new_user):
    answers = "\n".join(["test", "c", "first-results-time", "general", "Plan 4 to 6 sessions.", "y", "6 weeks", "y"]) + "\n"
    result = run("add-claim", "--kb", kb_dir, "--shapes", SHAPES, "-i", input=answers)
    assert result.exit_code == 0, result.output
    assert "Who is adding this? Your editor id in kb/editors.ttl" in result.output
    assert remembered_editor() == "test" and load(kb_dir).claim("c-first-results-time").added_by == "test"


def test_resolution_order(new_user):
    with pytest.raises(KbError, match="Say who is adding this"):
        resolve_editor(None, None)
    assert resolve_editor(None, lambda: " asked ") == "asked"
    config_file().write_text('editor = "kept"\n')
    assert resolve_editor(None, lambda: "asked") == "kept"
    assert resolve_editor("given", None) == "given"
    assert resolve_editor("Jane Doe", None) == "jane-doe"


def test_an_editor_named_in_any_script_can_add_claims(kb_dir, new_user):
    assert run("add-editor", "--kb", kb_dir, "李明", "--name", "李明").exit_code == 0
    result = run("add-claim", "--kb", kb_dir, "--shapes", SHAPES, "--by", "李明", *CLAIM)
    assert result.exit_code == 0, result.output
    assert load(kb_dir).claim("a-nsaid-stop-before").added_by == "李明"
    assert remembered_editor() == "李明"


def test_an_editor_id_that_is_not_a_slug_is_refused_with_the_slug_offered(kb_dir, new_user):
    before = tree_digest(kb_dir)
    result = run("add-editor", "--kb", kb_dir, "Jane Doe", "--name", "Jane Doe")
    assert result.exit_code == 2
    assert result.output == ("Error: ID: 'Jane Doe' must be lower-case letters (of any script), digits and single dashes, "
                             "such as 'jane-doe' or 'jane-doe'.\n")
    assert tree_digest(kb_dir) == before
