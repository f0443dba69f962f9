from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crm.clients.domain.dedup import (
    Card,
    Match,
    Pair,
    blocking_keys,
    candidate_pairs,
    consonant_skeleton,
    find_duplicates,
    group_pairs,
    name_keys,
    name_similarity,
    name_tokens,
    person_name_similarity,
    score_contact_duplicate,
    score_duplicate,
)

ROMASHKA = Card(
    id=1,
    name="ООО «Ромашка Плюс»",
    inn="7707083893",
    kpp="770701001",
    phones=frozenset({"+74951234567"}),
    emails=frozenset({"info@romashka.ru"}),
)


@pytest.mark.parametrize(
    ("name", "tokens"),
    [
        ("ООО «Ромашка»", ("ромашка",)),
        ("Ромашка ООО", ("ромашка",)),
        ('Общество с ограниченной ответственностью "Ромашка"', ("ромашка",)),
        ("ИП Иванов Иван Иванович", ("иванов", "иван", "иванович")),
        ("ЗАО «Альфа-Трейд»", ("альфа", "трейд")),
        ("OOO «Pомашка»", ("ромашка",)),  # Latin letters that look Cyrillic
        ("Ёлка и Ко.", ("елка", "и", "ко")),
    ],
)
def test_name_tokens_drop_legal_form_quotes_case_and_punctuation(name, tokens):
    assert name_tokens(name) == tokens


@pytest.mark.parametrize(
    ("first", "second", "expected"),
    [
        ("ООО «Ромашка Плюс»", "Плюс Ромашка ООО", 100),
        ("ООО «Ромашка»", 'Общество с ограниченной ответственностью "Ромашка"', 100),
        ("ООО «Ромашка»", "ромашка", 100),
        ("ООО «Ромашка»", "ООО «Ромшка»", 92),
        ("Школа 5", "Школа 6", 84),  # another number: another organization
        ("Ромашка", "Ромашка-2", 84),
        ("Первый век Девелопмент", "Первый двор Девелопмент", 84),  # a word without partner
        ("Уральский путь", "Уральский путь Про", 84),
        ("Ист-Транс", "Исттранс", 94),  # written as one word
        ("", "Ромашка", 0),
    ],
)
def test_name_similarity(first, second, expected):
    assert name_similarity(first, second) == expected
    assert name_similarity(second, first) == expected


@pytest.mark.parametrize(
    ("first", "second", "expected"),
    [
        ("Иванов Иван Петрович", "Иванов Иван Петрович", 100),
        ("Иванов Иван Петрович", "Иван Петрович Иванов", 100),
        ("Иванов Иван Петрович", "Иванов Иван", 95),
        ("Иванов Иван Петрович", "Иванов Иван Петрови", 97),
        ("Буров Иван Петрович", "Бобров Иван Петрович", 84),  # two letters off: two people
        ("Иванов Иван", "Петров Пётр", 27),
    ],
)
def test_person_name_similarity(first, second, expected):
    assert person_name_similarity(first, second) == expected


def test_a_card_with_inn_and_kpp_against_itself_is_100_with_every_reason():
    assert score_duplicate(ROMASHKA, ROMASHKA) == Match(
        score=100,
        reasons=(
            "Совпадают ИНН 7707083893 и КПП 770701001",
            "Похожее название (100 %)",
            "Совпадает e-mail info@romashka.ru",
            "Совпадает телефон +74951234567",
        ),
    )


@pytest.mark.parametrize(
    ("second", "expected"),
    [
        (Card(2, "Другое название", inn="7707083893", kpp="770701001"), 100),
        (Card(2, "Другое название", inn="7707083893"), 95),  # no КПП on one card
        (Card(2, "Другое", inn="7707083893", kpp="770702001"), 60),  # a branch
        (Card(2, "Другое", phones=frozenset({"+74951234567"})), 80),
        (Card(2, "Другое", emails=frozenset({"info@romashka.ru"})), 85),
        (Card(2, "Другое", emails=frozenset({"buh@romashka.ru"})), 55),
        (Card(2, "Другое", emails=frozenset({"x@mail.ru"})), 0),
        (Card(2, "Ромашка Плюс"), 100),
        (Card(2, "Ромашка Плюс", phones=frozenset({"+74951234567"})), 100),
        # Other ИНН: two companies, whatever else is alike.
        (Card(2, "Ромашка Плюс", inn="7736050003", phones=frozenset({"+74951234567"})), 40),
    ],
)
def test_score_by_signal(second, expected):
    assert score_duplicate(ROMASHKA, second).score == expected


def test_inn_of_a_person_without_kpp_on_both_cards_is_a_full_match():
    first = Card(1, "ИП Иванов И. И.", inn="500100732259")
    second = Card(2, "Иванов Иван Иванович", inn="500100732259")
    assert score_duplicate(first, second) == Match(100, ("Совпадает ИНН 500100732259",))


def test_nothing_alike_has_no_reasons():
    assert score_duplicate(ROMASHKA, Card(2, "Василёк")) == Match(0, ())


cards = st.builds(
    Card,
    id=st.integers(min_value=1, max_value=10**6),
    name=st.text(alphabet='абвгдеёжзиклмнопрстуфхцчшэюя «»"-ООИП0123456789', max_size=30),
    inn=st.sampled_from(["", "7707083893", "7736050003", "500100732259"]),
    kpp=st.sampled_from(["", "770701001", "773601001"]),
    phones=st.frozensets(st.sampled_from(["+74951234567", "+74957654321"]), max_size=2),
    emails=st.frozensets(
        st.sampled_from(["info@romashka.ru", "buh@romashka.ru", "a@mail.ru"]), max_size=2
    ),
)


@given(cards, cards)
def test_score_is_symmetric(first, second):
    assert score_duplicate(first, second).score == score_duplicate(second, first).score
    assert sorted(score_duplicate(first, second).reasons) == sorted(
        score_duplicate(second, first).reasons
    )
    assert (
        score_contact_duplicate(first, second).score == score_contact_duplicate(second, first).score
    )


@given(cards)
def test_a_card_with_inn_against_itself_scores_100(card):
    if card.inn:
        assert score_duplicate(card, card).score == 100


@given(cards, cards)
def test_score_is_between_0_and_100(first, second):
    assert 0 <= score_duplicate(first, second).score <= 100


@given(cards)
def test_a_card_shares_a_block_with_its_copy(card):
    copy = Card(card.id + 1, card.name.upper(), card.inn, card.kpp, card.phones, card.emails)
    if blocking_keys(card):
        assert candidate_pairs([card, copy]) == {(0, 1)}


def test_contact_shared_phone_with_other_name_is_not_a_duplicate():
    reception = frozenset({"+74951234567"})
    first = Card(1, "Иванов Иван Петрович", phones=reception)
    second = Card(2, "Сидорова Анна Павловна", phones=reception)
    assert score_contact_duplicate(first, second).score == 45


@pytest.mark.parametrize(
    ("second", "expected"),
    [
        (Card(2, "Иванов Иван", phones=frozenset({"+79161234567"})), 100),
        (Card(2, "Иванов Иван", emails=frozenset({"ivanov@romashka.ru"})), 100),
        (Card(2, "Иванов Иван Петрович"), 70),  # a namesake is possible
        (Card(2, "Иванов Иван"), 65),
        (Card(2, "Петров Пётр"), 0),
    ],
)
def test_contact_scores(second, expected):
    first = Card(
        1,
        "Иванов Иван Петрович",
        phones=frozenset({"+79161234567"}),
        emails=frozenset({"ivanov@romashka.ru"}),
    )
    assert score_contact_duplicate(first, second).score == expected


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("ООО «Ромашка Плюс»", "Плюс Ромашка"),  # order, legal form
        ("ООО «Ромашка Плюс»", "ООО «Ромашка Плюс»"),
        ("ООО «Ромашка Плюс»", "ООО «Ромшка Плюс»"),  # a letter missing
        ("ООО «Ромашка Плюс»", "ООО «Рошмака Плюс»"),  # letters swapped
        ("ООО «Ромашка Плюс»", "ООО «Ромашка Плюсс»"),  # a letter more
        ("ООО «Ромашка Плюс»", "Ромашко Пллюс"),  # vowels and doubles: the skeleton
        ("ООО «Технологии Роста»", "Технологея Ростаа"),  # endings: first four letters
        ("ООО «Медтрейд Логистик»", "Медтрейд Лоисти"),  # two typos in one word
        ("ООО «Ромашка Плюс»", "ООО «Ромашка Длюс»"),  # first letter: the rest of the words
        ("Иванов Иван Петрович", "Иванов Иван"),  # a word less
    ],
)
def test_blocking_puts_retyped_names_together(first, second):
    assert name_keys(first) & name_keys(second)


def test_consonant_skeleton():
    assert consonant_skeleton(("ассоциация", "радуга")) == "рдг сц"


NAME_KEY_PREFIXES = ("n:", "f:", "s:", "x:", "r:")


def test_blocking_keys_by_signal():
    assert {key for key in blocking_keys(ROMASHKA) if key[:2] not in NAME_KEY_PREFIXES} == {
        "i:7707083893",
        "p:+74951234567",
        "e:info@romashka.ru",
        "d:romashka.ru",
    }
    public = Card(1, "", emails=frozenset({"a@mail.ru"}))
    assert blocking_keys(public) == {"e:a@mail.ru"}


def test_find_duplicates_finds_exactly_the_seeded_pairs():
    base = [
        Card(10, "ООО «Ромашка Плюс»", inn="7707083893", kpp="770701001"),
        Card(11, "Плюс Ромашка ООО"),
        Card(12, "ООО «Василёк»", phones=frozenset({"+74951234567"})),
        Card(13, "АО «Незабудка»", phones=frozenset({"+74951234567"})),
        Card(14, "ООО «Ромашка Плюс»", inn="7707083893", kpp="770701001"),
        Card(15, "ООО «Лютик»", inn="7736050003"),
        Card(16, "ООО «Лютик»", inn="7704211201"),  # a namesake with another ИНН
    ]
    pairs = find_duplicates(base)
    assert pairs == [
        Pair(10, 11, 100, ("Похожее название (100 %)",)),
        Pair(10, 14, 100, ("Совпадают ИНН 7707083893 и КПП 770701001", "Похожее название (100 %)")),
        Pair(11, 14, 100, ("Похожее название (100 %)",)),
        Pair(12, 13, 80, ("Совпадает телефон +74951234567",)),
    ]


def test_find_duplicates_needs_ids():
    with pytest.raises(ValueError, match="id"):
        find_duplicates([Card(None, "Ромашка"), Card(1, "Ромашка")])


def test_big_blocks_are_compared_with_neighbours_only():
    phone = frozenset({"+74951234567"})  # a business centre's reception
    base = [Card(i, "Бизнес-центр", phones=phone) for i in range(1, 201)]
    pairs = candidate_pairs(base)
    # Each card with its next 8 in name order, not 200·199/2 pairs.
    assert len(pairs) == 8 * 192 + sum(range(8))
    assert (0, 8) in pairs
    assert (0, 9) not in pairs


def test_group_pairs():
    assert group_pairs([(1, 2), (2, 3), (7, 5), (9, 8), (8, 7)]) == [[1, 2, 3], [5, 7, 8, 9]]
    assert group_pairs([]) == []
