"""Numbers and amounts in Russian words for printed documents (pure Python).

«Одна тысяча двести тридцать четыре рубля 50 копеек»: the whole part in words with the
currency's name in the right form, the fractional part as two digits."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from crm.core.domain.money import round_money

NEGATIVE = "Сумма прописью не может быть отрицательной: {value}"
NOT_A_NUMBER = "«{value}» — не число"
TOO_LARGE = "Слишком большое число для записи прописью: {value}"
UNKNOWN_CURRENCY = "Сумма прописью в валюте «{currency}» не поддерживается"

_UNITS_MASCULINE = (
    "",
    "один",
    "два",
    "три",
    "четыре",
    "пять",
    "шесть",
    "семь",
    "восемь",
    "девять",
)
_UNITS_FEMININE = ("", "одна", "две", *_UNITS_MASCULINE[3:])
_TEENS = (
    "десять",
    "одиннадцать",
    "двенадцать",
    "тринадцать",
    "четырнадцать",
    "пятнадцать",
    "шестнадцать",
    "семнадцать",
    "восемнадцать",
    "девятнадцать",
)
_TENS = (
    "",
    "",
    "двадцать",
    "тридцать",
    "сорок",
    "пятьдесят",
    "шестьдесят",
    "семьдесят",
    "восемьдесят",
    "девяносто",
)
_HUNDREDS = (
    "",
    "сто",
    "двести",
    "триста",
    "четыреста",
    "пятьсот",
    "шестьсот",
    "семьсот",
    "восемьсот",
    "девятьсот",
)


@dataclass(frozen=True)
class Noun:
    """A counted noun's three forms (1, 2–4, 5–20) and whether it is feminine."""

    one: str
    few: str
    many: str
    feminine: bool = False

    def form(self, n: int) -> str:
        return plural(n, self.one, self.few, self.many)


# (scale noun, its power of a thousand), largest first
_SCALES = (
    (Noun("триллион", "триллиона", "триллионов"), 4),
    (Noun("миллиард", "миллиарда", "миллиардов"), 3),
    (Noun("миллион", "миллиона", "миллионов"), 2),
    (Noun("тысяча", "тысячи", "тысяч", feminine=True), 1),
)
LIMIT = 1000**5

#: currency code → (name of the whole unit, name of the hundredth)
CURRENCIES: dict[str, tuple[Noun, Noun]] = {
    "RUB": (
        Noun("рубль", "рубля", "рублей"),
        Noun("копейка", "копейки", "копеек", feminine=True),
    ),
    "USD": (
        Noun("доллар США", "доллара США", "долларов США"),
        Noun("цент", "цента", "центов"),
    ),
    "EUR": (Noun("евро", "евро", "евро"), Noun("евроцент", "евроцента", "евроцентов")),
    "CNY": (Noun("юань", "юаня", "юаней"), Noun("фэнь", "фэня", "фэней")),
}


def plural(n: int, one: str, few: str, many: str) -> str:
    """The form of a noun counted `n` times: 1 рубль, 2 рубля, 5 рублей, 11 рублей, 21 рубль."""
    n = abs(n)
    if 11 <= n % 100 <= 19:
        return many
    if n % 10 == 1:
        return one
    if 2 <= n % 10 <= 4:
        return few
    return many


def _triad(n: int, *, feminine: bool) -> list[str]:
    words = [_HUNDREDS[n // 100]]
    rest = n % 100
    if 10 <= rest <= 19:
        words.append(_TEENS[rest - 10])
    else:
        words.append(_TENS[rest // 10])
        words.append((_UNITS_FEMININE if feminine else _UNITS_MASCULINE)[rest % 10])
    return [word for word in words if word]


def number_in_words(n: int, *, feminine: bool = False) -> str:
    """A non-negative whole number in lower-case Russian words; `feminine` agrees the last
    units with a feminine noun (одна копейка, две тысячи). Works below 10^15."""
    if n < 0:
        raise ValueError(NEGATIVE.format(value=n))
    if n >= LIMIT:
        raise ValueError(TOO_LARGE.format(value=n))
    if n == 0:
        return "ноль"
    words: list[str] = []
    for noun, power in _SCALES:
        count = n // 1000**power % 1000
        if count:
            words.extend(_triad(count, feminine=noun.feminine))
            words.append(noun.form(count))
    words.extend(_triad(n % 1000, feminine=feminine))
    return " ".join(words)


def amount_in_words(amount: Decimal, currency: str = "RUB") -> str:
    """An amount rounded half up to kopecks, in words with its currency and the hundredths as two
    digits: Decimal("1234.50") → «Одна тысяча двести тридцать четыре рубля 50 копеек»."""
    try:
        whole_noun, fraction_noun = CURRENCIES[currency]
    except KeyError:
        raise ValueError(UNKNOWN_CURRENCY.format(currency=currency)) from None
    if not isinstance(amount, Decimal) or not amount.is_finite():
        raise ValueError(NOT_A_NUMBER.format(value=amount))
    if amount < 0:
        raise ValueError(NEGATIVE.format(value=amount))
    if amount >= LIMIT:
        raise ValueError(TOO_LARGE.format(value=amount))
    rounded = round_money(amount)
    hundredths = int(rounded.scaleb(2))
    whole, fraction = divmod(hundredths, 100)
    text = (
        f"{number_in_words(whole, feminine=whole_noun.feminine)} {whole_noun.form(whole)} "
        f"{fraction:02d} {fraction_noun.form(fraction)}"
    )
    return text[0].upper() + text[1:]
