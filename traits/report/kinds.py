"""What a realised partnership or an item is counted as: one rule for every report format.

The kinds are the categories of the interchange format, except that food given (« dons
alimentaires »: unsold food, surplus, food aid) is its own kind instead of « matériel ».
"""

from __future__ import annotations

from traits.model import LABELS_FR, Category, Item
from traits.vocabulary import Vocabulary

#: The kind of food given: an ``equipment`` item whose subcategory is ``food_surplus``.
FOOD = "food"
FOOD_SUBCATEGORY = "food_surplus"
#: Every kind, in the order the reports list them.
KINDS: list[str] = [
    k for c in Category for k in ([c.value, FOOD] if c == Category.EQUIPMENT else [c.value])
]
KIND_LABELS: dict[str, str] = {
    **{c.value: LABELS_FR[c] for c in Category},
    FOOD: "dons alimentaires",
}
#: Below this evidence, a title's subcategory is not guessed.
_GUESS_FLOOR = 0.4


def subcategory_of(item: Item, within: Category | None = None) -> str | None:
    """The item's subcategory, else the vocabulary's clear best guess from its title and
    description within ``within`` (its own category by default); None when nothing stands out."""
    if item.subcategory:
        return item.subcategory
    found = Vocabulary.default().suggest(
        f"{item.title} {item.description or ''}", (within or item.category).value, k=2
    )
    clear = found and found[0][1] >= _GUESS_FLOOR
    if clear and (len(found) == 1 or found[0][1] > found[1][1]):
        return found[0][0].code
    return None


def kind_of(category: Category, item: Item | None) -> str:
    """The kind a partnership of ``category`` about ``item`` (or the item itself) counts as."""
    if category == Category.EQUIPMENT and item is not None:
        if subcategory_of(item, Category.EQUIPMENT) == FOOD_SUBCATEGORY:
            return FOOD
    return category.value
