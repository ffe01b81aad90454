"""introductions(from, to, year): shared partners, or the shortest chain, checked against an
independent reading of the data (tests/api/test_time_truth.py's rules written from the CSV)."""

from __future__ import annotations

import itertools

from starlette.testclient import TestClient

from tests.api.test_queries import gql
from tests.api.test_time_truth import active, existing

YEAR = 2024
QUERY = """query ($from: String!, $to: String!, $year: Int) {
  introductions(from: $from, to: $to, year: $year) {
    year note
    sharedPartners { council { code } withFrom { id } withTo { id } }
    chain { council { code } via { id } }
  }
}"""


def test_a_shared_partner_is_offered_with_the_partnerships_concerned(
    client: TestClient,
) -> None:
    year_active = active(YEAR)
    partnerships_of: dict[str, set[str]] = {}
    for pid, members in year_active.items():
        for code in members:
            partnerships_of.setdefault(code, set()).add(pid)
    # Two councils that share nothing directly but have a partner in common.
    a, c, b = next(
        (a, c, b)
        for a in sorted(partnerships_of)
        for c in sorted(partnerships_of)
        if a < c and not partnerships_of[a] & partnerships_of[c]
        for b in sorted(partnerships_of)
        if b not in (a, c) and partnerships_of[b] & partnerships_of[a]
        and partnerships_of[b] & partnerships_of[c]
    )  # fmt: skip
    found = gql(client, QUERY, **{"from": a, "to": c, "year": YEAR})["introductions"]
    shared = {s["council"]["code"]: s for s in found["sharedPartners"]}
    assert b in shared
    assert {p["id"] for p in shared[b]["withFrom"]} == partnerships_of[a] & partnerships_of[b]
    assert {p["id"] for p in shared[b]["withTo"]} == partnerships_of[c] & partnerships_of[b]
    assert "partner with both" in found["note"]
    # The chain: each step's partnership really has both councils as members that year.
    chain = found["chain"]
    assert [chain[0]["council"]["code"], chain[-1]["council"]["code"]] == [a, c]
    for before, step in itertools.pairwise(chain):
        members = year_active[step["via"]["id"]]
        assert {before["council"]["code"], step["council"]["code"]} <= members


def test_no_chain_is_an_empty_list_and_says_so(client: TestClient) -> None:
    sharers = set().union(*active(2011).values())  # 2011 still had councils sharing nothing
    singleton = sorted(existing(2011) - sharers)[0]
    other = sorted(sharers)[0]
    found = gql(client, QUERY, **{"from": singleton, "to": other, "year": 2011})["introductions"]
    assert found["chain"] == []
    assert found["sharedPartners"] == []
    assert found["note"].startswith("No chain of partnerships links")


def test_introductions_take_names_and_suggest_for_typos(client: TestClient) -> None:
    body = client.post(
        "/graphql",
        json={"query": '{ introductions(from: "Basingstok", to: "Hart") { note } }'},
    ).json()
    assert "closest: Basingstoke and Deane (E07000084, 1974-)" in body["errors"][0]["message"]
