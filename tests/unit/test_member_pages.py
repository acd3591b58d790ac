"""Which member page a run reads next: the first, then the last and back; where GitLab does
not count the pages (over 10,000 members), the last is found by doubling, then halving."""

from __future__ import annotations

import pytest

from automation.trackers.member_pages import MemberPages

PER_PAGE = 100


def _order(members: int, counted: bool) -> list[int]:
    """The pages read, in order, until every page of a list of MEMBERS is read."""
    pages = MemberPages(PER_PAGE)
    total = max(1, -(-members // PER_PAGE)) if counted else None
    order: list[int] = []
    while (number := pages.next()) is not None:
        assert number not in order and len(order) < 1000
        order.append(number)
        count = max(0, min(PER_PAGE, members - (number - 1) * PER_PAGE))
        pages.saw(number, count, total)
    return order


def test_a_counted_list_is_read_first_page_first_then_from_the_last_back() -> None:
    assert _order(350, counted=True) == [1, 4, 3, 2]


@pytest.mark.parametrize("members", [0, 1, 99, 100, 101, 10_050, 10_100, 12_800, 25_601])
def test_every_page_is_read_once_and_an_uncounted_list_reaches_its_end_soon(
    members: int,
) -> None:
    pages = max(1, -(-members // PER_PAGE))
    counted = _order(members, counted=True)
    uncounted = _order(members, counted=False)
    assert sorted(counted) == list(range(1, pages + 1))
    assert set(range(1, pages + 1)) <= set(uncounted)  # and a few empty pages past the end,
    assert len(uncounted) <= pages + pages.bit_length() + 1  # one per halving
    if pages > 2:  # the last page is reached after about two reads per doubling
        assert uncounted.index(pages) <= 2 * pages.bit_length() + 1


def test_pages_that_disagree_end_the_reading() -> None:
    pages = MemberPages(PER_PAGE)
    pages.saw(1, PER_PAGE, None)
    pages.saw(2, 0, None)  # the list shrank meanwhile: page 2 is past its end now
    assert pages.next() is None
