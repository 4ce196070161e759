import pytest
from click.testing import CliRunner

from reconcile.cli import main
from reconcile.errors import KbError
from reconcile.postbuild import fix_page, fix_site

THEME_PAGE = ('<input class="md-toggle" type="checkbox" id="__drawer" autocomplete="off">'
              '<input type="text" name="q" autocomplete="off">'
              '<label class="md-nav__link" for="__nav_2" id="__nav_2_label" tabindex="">Developers</label>'
              '<label class="md-nav__title" for="__toc">Contents</label>'
              '<label class="md-overlay" for="__drawer" aria-hidden="true"></label>')


def test_the_themes_invalid_markup_is_corrected_and_nothing_else():
    fixed = fix_page(THEME_PAGE)
    assert '<input class="md-toggle" type="checkbox" id="__drawer">' in fixed
    assert '<input type="text" name="q" autocomplete="off">' in fixed  # allowed on text inputs
    assert '<label class="md-nav__link" for="__nav_2" id="__nav_2_label">Developers</label>' in fixed
    assert '<label class="md-nav__title">Contents</label>' in fixed  # no toc toggle on this page
    assert '<label class="md-overlay" for="__drawer"></label>' in fixed
    with_toc = THEME_PAGE + '<input type="checkbox" id="__toc">'
    assert '<label class="md-nav__title" for="__toc">' in fix_page(with_toc)
    assert fix_page(fixed) == fixed


def test_fix_site_rewrites_only_the_pages_that_need_it(tmp_path):
    (tmp_path / "topics").mkdir()
    (tmp_path / "topics" / "a.html").write_text(THEME_PAGE, encoding="utf-8")
    (tmp_path / "b.html").write_text("<p>valid</p>", encoding="utf-8")
    assert fix_site(tmp_path) == [tmp_path / "topics" / "a.html"]
    assert (tmp_path / "topics" / "a.html").read_text(encoding="utf-8") == fix_page(THEME_PAGE)
    assert [p.name for p in tmp_path.rglob("*") if p.name.startswith(".")] == []


def test_fix_site_on_a_missing_folder_says_to_build_first(tmp_path):
    with pytest.raises(KbError, match="no built site here; build it first"):
        fix_site(tmp_path / "site")
    result = CliRunner().invoke(main, ["fix-site", str(tmp_path / "site")])
    assert result.exit_code == 2 and "no built site here" in result.output


def test_kb_fix_site_reports_the_pages_it_fixed(tmp_path):
    (tmp_path / "index.html").write_text(THEME_PAGE, encoding="utf-8")
    result = CliRunner().invoke(main, ["fix-site", str(tmp_path)])
    assert result.exit_code == 0 and result.output == f"Fixed the theme's markup in 1 pages under {tmp_path}/.\n"
