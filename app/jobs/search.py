"""Chinese full-text search over published postings, on SQLite and on PostgreSQL.

Chinese has no spaces between words and most job searches are two characters (普工, 电工, 司机,
保安, 厨师), which a trigram index cannot find (SQLite's trigram tokenizer matches nothing
shorter than three characters). So we segment the text ourselves, the same way on both engines,
into tokens that a plain word index handles:

    电子厂普工招聘 CNC  →  电子 子厂 厂普 普工 工招 招聘 电 子 厂 普 工 招 聘 cnc

Each run of Han characters gives its overlapping bigrams, then its single characters; a run of
Latin letters or digits is one lower-case word. A keyword then becomes:

    one Han character   → that character           (普)
    two Han characters  → one bigram token         (普工)
    three or more       → a phrase of its bigrams  ("电子 子厂": the bigrams next to each other)
    a Latin word        → a prefix of a word       (cnc*)

and several keywords (or runs in one keyword) must all match. A phrase of consecutive bigrams is
exactly "the keyword is a substring of a run" (each run's characters follow its bigrams, so no
phrase crosses from one run into the next): what a worker expects of a substring search.

Engines:
* SQLite: an FTS5 table `job_listings_fts` over `job_listing_texts.search_text` (external
  content, unicode61 tokenizer, kept in step by triggers), made by migration 0006. Its rowid is the
  listing id, which grows in publication order, so "newest first" is FTS5's own rowid order:
  a search stops after the first page of matches instead of sorting every match.
* PostgreSQL: a GIN index on to_tsvector('simple', job_listing_texts.search_text), made by
  migration 0006. A
  phrase is asked as the AND of its bigrams (answered by the index alone, no recheck) plus a
  LIKE on the stored tokens, which holds the bigrams of a matching run side by side.

The filters of a search (trade, region subtree, housing, minimum wage) travel as tokens too,
so the index answers keyword and filters together (see "filters as tokens" below).

See docs/search.md for the figures.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, func, literal_column, select
from sqlalchemy.sql import column, table

FTS_TABLE = "job_listings_fts"
PG_INDEX = "ix_job_listing_texts_search_text_tsv"

# Made by migration 0006 for one engine only, outside the models (an FTS5 virtual table and its
# shadow tables on SQLite; an expression index on PostgreSQL). The models-vs-migrations check
# and autogenerate leave them out by name (`include_name`).
ENGINE_SPECIFIC_SCHEMA = frozenset(
    {
        FTS_TABLE,
        f"{FTS_TABLE}_data",
        f"{FTS_TABLE}_idx",
        f"{FTS_TABLE}_docsize",
        f"{FTS_TABLE}_config",
        f"{FTS_TABLE}_content",
        PG_INDEX,
    }
)

# CJK unified ideographs (with extension A) and compatibility ideographs; Latin letters, digits.
_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_RUNS = re.compile(rf"[{_HAN}]+|[0-9a-z]+")
MAX_TERMS = 8  # a search of more pieces than this is not a job search


def include_name(name: str | None, type_: str, parent_names: dict) -> bool:
    """Alembic hook: False for the engine-specific search objects (see ENGINE_SPECIFIC_SCHEMA)."""
    return name not in ENGINE_SPECIFIC_SCHEMA


def _runs(text: str) -> list[str]:
    # NFKC folds full-width letters and digits (ＣＮＣ, ３) to ASCII; compatibility ideographs
    # to the unified ones.
    return _RUNS.findall(unicodedata.normalize("NFKC", text).lower())


def _is_han(run: str) -> bool:
    return not run[0].isascii()


def segment(*texts: str | None) -> str:
    """The index tokens of some text, separated by spaces."""
    tokens: list[str] = []
    for text in texts:
        for run in _runs(text or ""):
            if _is_han(run):
                tokens.extend(run[i : i + 2] for i in range(len(run) - 1))
                tokens.extend(run)
            else:
                tokens.append(run)
    return " ".join(tokens)


@dataclass(frozen=True)
class Term:
    """One piece of a query: `kind` is 'char', 'bigram', 'phrase' (of bigrams), 'word' (a
    prefix) or 'exact' (a filter token)."""

    kind: str
    tokens: tuple[str, ...]


def parse_query(keyword: str | None) -> list[Term]:
    """The terms a keyword asks for (all must match); [] when it holds nothing searchable."""
    terms: list[Term] = []
    for run in _runs(keyword or "")[:MAX_TERMS]:
        if not _is_han(run):
            terms.append(Term("word", (run,)))
        elif len(run) == 1:
            terms.append(Term("char", (run,)))
        elif len(run) == 2:
            terms.append(Term("bigram", (run,)))
        else:
            terms.append(Term("phrase", tuple(run[i : i + 2] for i in range(len(run) - 1))))
    return terms


# --- filters as tokens ------------------------------------------------------------------------
# A listing's text also carries tokens for its trade, every region above its place (so a region
# filter takes the subtree), housing, and the wage steps its top wage reaches. A search with
# filters then asks the index for all of them at once: the engine intersects the lists and stops
# after the first page, however few of the keyword's matches pass the filters. They are ASCII
# words starting with "x", which no keyword of Han characters produces.

HOUSING_TOKEN = "xhousing"  # noqa: S105 - an index word, not a secret
WAGE_STEPS = (2000, 3000, 4000, 5000, 6000, 7000, 8000, 10000)


def trade_token(code: str) -> str:
    return f"xt{code}"


def region_token(code: str) -> str:
    """Digits as they are; other codes (the zones' CD-ETDZ…) hex-encoded, to stay one word."""
    return f"xr{code}" if code.isdigit() else f"xrh{code.encode().hex()}"


def wage_token(step: int) -> str:
    return f"xw{step}"


def filter_tokens(*, trade: str, region_path: str, housing: bool, wage_max: int) -> list[str]:
    """The filter tokens of one listing (region_path: '/430000/430700/430702/')."""
    tokens = [trade_token(trade)]
    tokens += [region_token(code) for code in region_path.strip("/").split("/") if code]
    if housing:
        tokens.append(HOUSING_TOKEN)
    tokens += [wage_token(step) for step in WAGE_STEPS if wage_max >= step]
    return tokens


def listing_text(*texts: str | None, filters: list[str]) -> str:
    """What job_listing_texts.search_text holds: the texts' tokens, then the filter tokens."""
    return " ".join(t for t in (segment(*texts), *filters) if t)


def filter_terms(
    *,
    trade: str | None = None,
    region_code: str | None = None,
    housing: bool | None = None,
    min_wage: int | None = None,
) -> list[Term]:
    """Index terms for the filters of a search. For a minimum wage between steps, the step
    below it narrows the search and the query's own wage condition does the rest."""
    tokens = []
    if trade:
        tokens.append(trade_token(trade))
    if region_code:
        tokens.append(region_token(region_code))
    if housing:
        tokens.append(HOUSING_TOKEN)
    steps = [step for step in WAGE_STEPS if min_wage and step <= min_wage]
    if steps:
        tokens.append(wage_token(steps[-1]))
    return [Term("exact", (token,)) for token in tokens]


def fts5_query(terms: list[Term]) -> str:
    """An FTS5 MATCH expression. Tokens hold only Han characters or [0-9a-z], so quoting them
    is all the escaping needed."""
    parts = []
    for term in terms:
        if term.kind == "word":
            parts.append(f'"{term.tokens[0]}"*')
        else:
            parts.append('"' + " ".join(term.tokens) + '"')
    return " AND ".join(parts)


def tsquery(terms: list[Term]) -> str:
    """A to_tsquery('simple', ...) expression: every bigram of a phrase, every other token."""
    parts = []
    for term in terms:
        if term.kind == "word":
            parts.append(f"{term.tokens[0]}:*")
        else:
            parts.extend(term.tokens)
    return " & ".join(parts)


def fts_table():  # noqa: ANN201 - a lightweight SQLAlchemy table clause
    """The FTS5 table as a table clause (rowid = job_listings.id)."""
    return table(FTS_TABLE, column("rowid"))


def pg_matches(terms: list[Term]):  # noqa: ANN201 - a Select of listing ids
    """PostgreSQL: ids of the listings whose tokens match (GIN), each phrase's bigrams adjacent."""
    from app.jobs.models import JobListingText

    return select(JobListingText.listing_id).where(pg_condition(JobListingText.search_text, terms))


def pg_condition(search_text: ColumnElement, terms: list[Term]) -> ColumnElement:
    """The GIN-indexed tsvector match, plus adjacency of each phrase's bigrams."""
    vector = func.to_tsvector(literal_column("'simple'::regconfig"), search_text)
    query = func.to_tsquery(literal_column("'simple'::regconfig"), tsquery(terms))
    condition = vector.op("@@")(query)
    phrases = [
        search_text.like("%" + " ".join(t.tokens) + "%") for t in terms if t.kind == "phrase"
    ]
    return and_(condition, *phrases) if phrases else condition
