"""How text and keywords become search tokens (no database)."""

import pytest

from app.jobs.search import Term, fts5_query, parse_query, segment, tsquery


def test_a_title_gives_its_bigrams_then_its_characters():
    assert segment("电子厂普工") == "电子 子厂 厂普 普工 电 子 厂 普 工"


def test_runs_are_split_on_punctuation_and_latin_words_are_lower_cased():
    assert segment("CNC操作工，月薪5000元") == ("cnc 操作 作工 操 作 工 月薪 月 薪 5000 元")


def test_full_width_letters_and_digits_are_folded():
    assert segment("ＣＮＣ ３班") == "cnc 3 班"


def test_several_texts_and_missing_ones():
    assert segment("司机", None, "") == "司机 司 机"


@pytest.mark.parametrize(
    ("keyword", "terms"),
    [
        ("普工", [Term("bigram", ("普工",))]),
        ("厂", [Term("char", ("厂",))]),
        ("电子厂", [Term("phrase", ("电子", "子厂"))]),
        ("CNC 普工", [Term("word", ("cnc",)), Term("bigram", ("普工",))]),
        ("  ，。!!  ", []),
        (None, []),
    ],
)
def test_keywords_become_terms(keyword, terms):
    assert parse_query(keyword) == terms


def test_fts5_and_postgresql_queries():
    terms = parse_query("电子厂 普工 cnc")
    assert fts5_query(terms) == '"电子 子厂" AND "普工" AND "cnc"*'
    assert tsquery(terms) == "电子 & 子厂 & 普工 & cnc:*"


def test_query_characters_cannot_break_out_of_the_match_syntax():
    terms = parse_query('普工" OR "x* NEAR(')
    assert fts5_query(terms) == '"普工" AND "or"* AND "x"* AND "near"*'


def test_a_listing_carries_its_filters_as_tokens():
    from app.jobs.search import filter_terms, filter_tokens, listing_text

    tokens = filter_tokens(
        trade="catering", region_path="/430000/430700/CD-ETDZ/", housing=True, wage_max=5500
    )
    assert tokens == [
        "xtcatering",
        "xr430000",
        "xr430700",
        "xrh43442d4554445a",
        "xhousing",
        "xw2000",
        "xw3000",
        "xw4000",
        "xw5000",
    ]
    assert listing_text("厨师", filters=tokens[:2]) == "厨师 厨 师 xtcatering xr430000"
    terms = filter_terms(trade="catering", region_code="430700", housing=True, min_wage=5500)
    assert [t.tokens[0] for t in terms] == ["xtcatering", "xr430700", "xhousing", "xw5000"]
    assert filter_terms(min_wage=1500) == []  # below every step: the wage condition alone
