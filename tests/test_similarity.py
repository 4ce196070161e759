from reconcile.similarity import Vectors, build_index, cosine, stem, tokens, topic_summary


def test_tokens_are_stems_without_stop_words_or_numbers():
    assert tokens("Avoid NSAIDs for 3 weeks after the sessions.") == ["avoid", "nsaid", "week", "after", "session"]
    assert [stem(w) for w in ("washing", "injections", "therapies", "glass")] == ["wash", "inject", "therapy", "glass"]


def test_cosine_of_tf_idf_vectors():
    vectors = Vectors(["stop nsaids", "wash hair", "wash scalp"])
    assert round(cosine(vectors("wash hair"), vectors("wash hair")), 6) == 1.0
    assert cosine(vectors("stop nsaids"), vectors("wash hair")) == 0.0
    assert 0 < cosine(vectors("wash hair"), vectors("wash scalp")) < 1


def test_rank_uses_descriptions_and_quotes(kb):
    index = build_index(kb)
    ranked = index.rank("Keep avoiding NSAIDs for 10 days after the treatment.")
    assert [m.topic for m in ranked][:2] == ["nsaid-avoid-after", "nsaid-stop-before"]
    assert ranked[0].context == "after-treatment"
    assert [m.topic for m in index.rank("How many sessions does a course need?")][:1] == ["session-count"]


def test_search_and_summary(kb):
    assert [t for t, _ in build_index(kb).search("when not to treat")][:1] == ["contraindications"]
    assert topic_summary(kb, "nsaid-avoid-after") == {
        "label": "Avoiding NSAIDs after treatment",
        "definition": "How long after a session to avoid NSAIDs.",
        "group": "aftercare (Aftercare)",
        "contexts": "after-treatment (4)",
        "example": '"Avoid NSAIDs for 3 weeks after the procedure." (claim a-nsaid-avoid-after)',
    }
