"""An organisation's units as a tree in memory: read once, then every roll-up (a
division's people, a support service's projects) is arithmetic, not another query."""

from __future__ import annotations

from dataclasses import dataclass

from backend.models import Organisation, Unit

SUPPORT_KINDS = tuple(kind for kind in Unit.Kind.values if kind in Unit.SUPPORT_KINDS)


@dataclass(frozen=True)
class Place:
    id: int
    name: str
    parent_id: int | None
    level: str
    kind: str


class UnitTree:
    """The units of one organisation, with the way up from each (one query)."""

    def __init__(self, organisation: Organisation | int) -> None:
        organisation_id = getattr(organisation, "pk", organisation)
        self.places = {
            row["id"]: Place(**row)
            # order_by(): sorting by the organisation's name would join it for nothing.
            for row in Unit.objects.filter(organisation_id=organisation_id)
            .order_by()
            .values("id", "name", "parent_id", "level", "kind")
        }
        self._up: dict[int, list[int]] = {}

    def ancestry(self, unit_id: int) -> list[int]:
        """``unit_id`` and every unit above it, nearest first."""
        if unit_id not in self._up:
            chain, seen, current = [], set(), unit_id
            while current is not None and current in self.places and current not in seen:
                seen.add(current)
                chain.append(current)
                current = self.places[current].parent_id
            self._up[unit_id] = chain
        return self._up[unit_id]

    def divisions(self) -> list[Place]:
        """The organisation's divisions, by name."""
        found = [p for p in self.places.values() if p.level == Unit.Level.DIVISION]
        return sorted(found, key=lambda p: p.name)

    def division_of(self, unit_id: int | None) -> int | None:
        """The division a unit sits in (itself, if it is one), or None."""
        if unit_id is None:
            return None
        for place_id in self.ancestry(unit_id):
            if self.places[place_id].level == Unit.Level.DIVISION:
                return place_id
        return None

    def service_of(self, unit_id: int | None) -> str | None:
        """The support service (HR, finance, IT, estates) a unit belongs to, or None."""
        if unit_id is None:
            return None
        for place_id in self.ancestry(unit_id):
            if self.places[place_id].kind in Unit.SUPPORT_KINDS:
                return self.places[place_id].kind
        return None

    def is_within(self, unit_id: int | None, ancestor_id: int) -> bool:
        """Whether ``unit_id`` is ``ancestor_id`` or sits beneath it."""
        return unit_id is not None and ancestor_id in self.ancestry(unit_id)

    def beneath(self, ancestor_id: int) -> list[int]:
        """``ancestor_id`` and the ids of every unit beneath it."""
        return [unit_id for unit_id in self.places if self.is_within(unit_id, ancestor_id)]
