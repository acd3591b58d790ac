"""Which page of a group's member list to read next (pure).

GitLab lists memberships oldest first (its offset pagination orders by id), and the people a
run has not met yet are mostly the newest, so after the first page the list is read from its
last page back. GitLab says how many pages there are only for lists of up to 10,000 records;
past that, the last page is found by reading pages 1, 2, 4, 8… until one comes back short,
then halving the gap: about two reads per doubling, each of them still a page of members."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class MemberPages:
    """The pages read so far (page number -> members on it), and the last page once known."""

    per_page: int
    read: dict[int, int] = field(default_factory=dict)
    last: int | None = None

    def saw(self, number: int, count: int, total: int | None) -> None:
        """Page NUMBER held COUNT members; TOTAL is GitLab's page count, when it gave one."""
        self.read[number] = count
        if total is not None:
            self.last = total
        if self.last is None:
            self.last = self._end()

    def _end(self) -> int | None:
        """The last page, when the pages read show it: a short one, or a full one followed
        by an empty one (or page 1 empty: no members)."""
        for n, count in sorted(self.read.items()):
            if 0 < count < self.per_page or (n == 1 and count == 0):
                return n
            if count == self.per_page and self.read.get(n + 1) == 0:
                return n
        return None

    def next(self) -> int | None:
        """The page to read next; None once every page is read (or the pages read disagree,
        as when the list changed meanwhile: the rest is asked for by name)."""
        if not self.read:
            return 1
        if self.last is not None:
            return next((n for n in range(self.last, 0, -1) if n not in self.read), None)
        full = max((n for n, count in self.read.items() if count == self.per_page), default=0)
        beyond = [n for n, count in self.read.items() if count == 0 and n > full]
        number = (full + min(beyond)) // 2 if beyond else 2 * full
        return None if number in self.read or number < 1 else number
