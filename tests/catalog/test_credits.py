"""/credits data: every source of the demos with its licence, Everkinetic first."""

from __future__ import annotations

import pytest

from bot.catalog.credits import source_credits
from bot.catalog.demos import read_manifest
from bot.catalog.loader import load_catalog
from bot.domain.exercises import Catalog, license_url


def test_everkinetic_comes_first_with_licence_link_and_commit() -> None:
    [everkinetic, *others] = source_credits()
    assert everkinetic.line == (
        "Everkinetic (everkinetic.com), CC BY-SA 4.0, animated from two drawings"
    )
    assert everkinetic.license_url == "https://creativecommons.org/licenses/by-sa/4.0/"
    assert everkinetic.commit == read_manifest()["commit"]
    assert everkinetic.source_url == "https://github.com/everkinetic/data"
    assert everkinetic.items >= 150
    assert others, "the wger images are credited too"


def test_every_media_item_is_counted_once() -> None:
    catalog = load_catalog()
    total = sum(len(exercise.media) for exercise in catalog)
    assert sum(credit.items for credit in source_credits(catalog)) == total


def test_other_sources_name_their_author_licence_and_site() -> None:
    for credit in source_credits()[1:]:
        assert credit.author
        assert credit.license.startswith(("CC ", "Public domain"))
        assert credit.source_url is None or credit.source_url.startswith("https://")
        assert credit.commit is None


def test_a_catalog_without_packaged_demos_has_no_everkinetic_entry() -> None:
    full = load_catalog()
    catalog = Catalog(
        exercise.model_copy(update={"media": [m for m in exercise.media if m.file is None]})
        for exercise in full
    )
    assert all(credit.commit is None for credit in source_credits(catalog))


@pytest.mark.parametrize(
    ("name", "url"),
    [
        ("CC-BY-SA 4.0", "https://creativecommons.org/licenses/by-sa/4.0/"),
        ("CC-BY-SA 3.0", "https://creativecommons.org/licenses/by-sa/3.0/"),
        ("CC-BY 4.0", "https://creativecommons.org/licenses/by/4.0/"),
        ("CC0 1.0", "https://creativecommons.org/publicdomain/zero/1.0/"),
        ("Public domain", None),
    ],
)
def test_license_url(name: str, url: str | None) -> None:
    assert license_url(name) == url
