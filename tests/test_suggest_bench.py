"""The leave-one-source-out benchmark of the proposals."""
from reconcile.load import load
from reconcile.suggest_bench import Score, main, run, table

from conftest import ROOT


def test_scores_on_the_fixture(kb):
    scores = run(kb)
    assert scores == [Score("a", 4, 4, 4, 4, 4, 4, 3, 3), Score("b", 5, 5, 5, 4, 5, 5, 4, 4),
                      Score("c", 4, 4, 4, 3, 4, 4, 4, 4), Score("(all)", 13, 13, 13, 11, 13, 13, 11, 11)]
    assert table(scores).splitlines()[-1] == "| (all) | 13 | 13 | 1.00 | 0.85 | 1.00 | 1.00 | 1.00 (11/11) |"


def test_the_real_knowledge_base_meets_the_targets(capsys):
    total = run(load(ROOT / "kb"))[-1]
    assert total.recall >= 0.85 and total.top3_accuracy >= 0.8
    main(["--kb", str(ROOT / "kb")])
    assert capsys.readouterr().out.startswith("| Source | Claims | Proposals | Recall | Top-1 topic | Top-3 topic | Precision |")
