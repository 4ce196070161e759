"""Who is adding data: an editor described in kb/editors.ttl, asked once and remembered per user.

Claims and sources are attributed to `editor:ID` (prov:wasAttributedTo), so ID must be a
described editor: never a login name such as `root` that nobody described. The id is taken
from `--by`, else from the user's config file ($XDG_CONFIG_HOME/reconcile-kb/config.toml,
by default ~/.config/reconcile-kb/config.toml), else asked for once at a terminal. A config
file rather than git config: the knowledge base need not be a git checkout, and the answer
belongs to the person, not to one repository.
"""
from __future__ import annotations

import json
import os
import tomllib
from collections.abc import Callable
from pathlib import Path

from .errors import KbError
from .load import KnowledgeBase
from .model import EDITOR, SPARQL_PREFIXES, local_name
from .paths import EDITORS_FILE
from .provenance import slug
from .turtle import append_block, string, write_atomic

EDITORS_FILE_COMMENT = ("People and tools that add data to the knowledge base (prov:wasAttributedTo targets).\n"
                        "`kb add-editor ID --name NAME` describes a new editor here.")
_EDITORS = SPARQL_PREFIXES + f"""SELECT ?iri (SAMPLE(?n) AS ?name) WHERE {{
    ?iri a ?type . FILTER(STRSTARTS(STR(?iri), "{EDITOR}")) OPTIONAL {{ ?iri foaf:name ?n }}
}} GROUP BY ?iri"""


def config_file() -> Path:
    """The user's reconcile-kb config file (XDG base directory layout)."""
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "reconcile-kb" / "config.toml"


def remembered_editor() -> str | None:
    """The editor id remembered in the config file, if any."""
    path = config_file()
    try:
        value = tomllib.loads(path.read_text(encoding="utf-8")).get("editor")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise KbError(f"{path}: cannot read the config file ({error}); fix or delete it.") from None
    return value if isinstance(value, str) and value else None


def remember_editor(editor: str) -> Path:
    """Write `editor` to the config file, so later commands need no --by."""
    path = config_file()
    write_atomic(path, f"# Written by `kb`: the editor id your claims and sources are attributed to.\neditor = {json.dumps(editor, ensure_ascii=False)}\n")
    return path


def described_editors(kb: KnowledgeBase) -> list[str]:
    return sorted(editor_names(kb))


def editor_names(kb: KnowledgeBase) -> dict[str, str]:
    """Each described editor's id and the name to show for it (foaf:name, else the id)."""
    return {local_name(row["iri"]): row.get("name") or local_name(row["iri"]) for row in kb.store.rows(_EDITORS)}


def require_editor(kb: KnowledgeBase, editor: str | None) -> None:
    """Refuse to attribute data to an editor kb/editors.ttl does not describe."""
    if not editor:
        raise KbError("Say who is adding this: pass --by with your editor id (see kb/editors.ttl).")
    if editor not in described_editors(kb):
        known = ", ".join(described_editors(kb)) or "none yet"
        raise KbError(f"{kb.root / EDITORS_FILE}: editor '{editor}' is not described (known: {known}). "
                      f"Describe yourself with `kb add-editor {editor} --name \"Your Name\"`, or pass --by with "
                      "a known id. Nothing was changed.")


def resolve_editor(by: str | None, ask: Callable[[], str] | None) -> str:
    """The editor id for this command: --by, else the remembered one, else asked (when `ask` is given)."""
    editor = (slug(by) if by else None) or remembered_editor()
    if editor is None and ask is not None:
        editor = slug(ask())
    if not editor:
        raise KbError(f"Say who is adding this: pass --by YOUR-ID (an editor described in kb/editors.ttl) once; "
                      f"it is remembered in {config_file()}. Nothing was changed.")
    return editor


def remember_if_first(editor: str) -> Path | None:
    """Remember `editor` (once it has been accepted) when no editor is remembered yet; returns the file written."""
    if remembered_editor() is not None:
        return None
    return remember_editor(editor)


def add_editor(kb: KnowledgeBase, editor: str, name: str) -> str:
    """Describe an editor in kb/editors.ttl (`kb` loaded under the write lock); returns the block added."""
    if not editor or slug(editor) != editor:
        raise KbError(f"ID: '{editor}' must be lower-case letters (of any script), digits and single dashes, "
                      f"such as 'jane-doe'{f' or {slug(editor)!r}' if slug(editor) else ''}.")
    if not name.strip():
        raise KbError("--name: give the editor's name as it should be shown.")
    if editor in described_editors(kb):
        raise KbError(f"{kb.root / EDITORS_FILE}: editor '{editor}' is already described.")
    block = f"editor:{editor} a prov:Agent, prov:Person ;\n    foaf:name {string(name.strip())} .\n"
    append_block(kb.root / EDITORS_FILE, block, EDITORS_FILE_COMMENT)
    return block
