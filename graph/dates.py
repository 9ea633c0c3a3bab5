"""Stage 3a: find date expressions in a sentence and resolve them against the publication date.

News dates are mostly relative ("Friday", "last November", "next month", "Aug. 10"), so each
expression is resolved against the article's publication date, at the precision the text
supports: a weekday needs a publication day, a month name needs a publication year, and a vague
season ("last fall") only gives a year.
"""

from __future__ import annotations

import calendar
import datetime
import re
from dataclasses import dataclass

from dipkg.graph.articles import PartialDate

MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
MONTHS.update({name.lower(): i for i, name in enumerate(calendar.month_abbr) if name})
MONTHS["sept"] = 9
WEEKDAYS = {name.lower(): i for i, name in enumerate(calendar.day_name)}
SEASONS = {"spring": 4, "summer": 7, "fall": 10, "autumn": 10, "winter": 1}
NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
           "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "a": 1, "an": 1}

_MONTH = (r"(?P<month>January|February|March|April|May|June|July|August|September|October|"
          r"November|December|Jan\.|Feb\.|Mar\.|Apr\.|Jun\.|Jul\.|Aug\.|Sept\.|Sep\.|Oct\.|"
          r"Nov\.|Dec\.)")
_YEAR = r"(?P<year>(?:19|20)\d\d)"
# Each pattern names what it captures; the first that matches at a position wins.
_PATTERNS: list[tuple[str, str]] = [
    ("month_day", _MONTH + r" (?P<day>\d{1,2})(?:st|nd|rd|th)?(?:\s?[-–]\s?\d{1,2})?(?:, " + _YEAR + r")?(?!\d)"),
    ("day_month", r"(?P<day>\d{1,2}) " + _MONTH + r"(?: " + _YEAR + r")?(?!\d)"),
    ("month_year", _MONTH + r",? " + _YEAR),
    ("relative_month", r"(?P<rel>last|next|this|later this|earlier this) month"),
    ("relative_year", r"(?P<rel>last|next|this|later this|earlier this|the end of the|end of the|the end of this) year"),
    ("relative_week", r"(?P<rel>last|next|this|later this|earlier this) week"),
    ("ago", r"(?P<n>\d+|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|a|an) "
            r"(?P<unit>months?|years?|weeks?|days?) ago"),
    ("season", r"(?P<rel>last|next|this) (?P<season>spring|summer|fall|autumn|winter)"),
    ("named_month", r"(?:(?P<rel>last|next|this)|(?P<prep>in|early|late|mid|mid-|since|until|by|from|"
                    r"through|during|as early as|as late as|the|of|before|after)) "
                    r"(?:(?:early|late|mid-?)\s?)?" + _MONTH.replace("May|", "May|") + r"(?![\w-])"),
    ("weekday", r"(?:(?P<rel>last|next|this) )?(?P<weekday>Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"),
    ("day_word", r"(?P<word>yesterday|today|tomorrow)"),
    ("decade", r"(?:the )?(?:19|20)\d0s"),
    ("year", r"(?<![\d$.,])" + _YEAR + r"(?!\d|,\d|s\b)"),
]
_COMPILED = [(name, re.compile(r"(?<![\w])" + rx, re.IGNORECASE if name in {
    "relative_month", "relative_year", "relative_week", "ago", "season", "day_word"} else 0))
    for name, rx in _PATTERNS]
_PAST = re.compile(r"\b(?:have|has|had) (?:\w+ )?(?:met|visited|held|talked|been)\b|\b(?:met|visited|held|"
                   r"attended|took|agreed|was|were|most recently|last)\b")
_FUTURE = re.compile(r"\b(will|shall|to be|is to|are to|scheduled|plans?|planning|set to|due to|"
                     r"expected|going to|next|upcoming|coming|agreed to|to hold|to meet|to visit)\b", re.IGNORECASE)


@dataclass(frozen=True)
class DateMention:
    """A date expression: its offsets within the sentence, its resolved value, and its role.

    ``role`` is "point" for a date an event happens on, "since"/"until" for a bound, and
    "before" for "prior to"/"before", which only supports the year.
    """

    begin: int
    end: int
    surface: str
    value: PartialDate | None
    role: str = "point"


def _month_name(token: str) -> int:
    return MONTHS[token.lower().rstrip(".")]


def _shift_month(year: int, month: int, delta: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + delta
    return index // 12, index % 12 + 1


def _nearest_year(pub: PartialDate, month: int, day: int | None, future: bool, past: bool = False) -> int:
    """The year that puts (month, day) closest to the publication date, on the side of it the
    tense points to ("will meet in March", "have met … most recently in February")."""
    if pub.month is None:
        return pub.year
    anchor = datetime.date(pub.year, pub.month, pub.day or 15)
    best: tuple[int, int] | None = None
    for year in (pub.year - 1, pub.year, pub.year + 1):
        try:
            when = datetime.date(year, month, day or 15)
        except ValueError:
            continue
        distance = abs((when - anchor).days)
        if future and when < anchor - datetime.timedelta(days=31):
            distance += 400
        if past and when > anchor + datetime.timedelta(days=1):
            distance += 400
        if best is None or distance < best[0]:
            best = (distance, year)
    return best[1] if best else pub.year


def _resolve(kind: str, m: re.Match[str], pub: PartialDate, future: bool, past: bool = False) -> PartialDate | None:
    groups = m.groupdict()
    if kind in {"month_day", "day_month"}:
        month, day = _month_name(groups["month"]), int(groups["day"])
        if not 1 <= day <= calendar.monthrange(2000, month)[1]:
            return None
        year = int(groups["year"]) if groups.get("year") else _nearest_year(pub, month, day, future, past)
        return PartialDate(year, month, day)
    if kind == "month_year":
        return PartialDate(int(groups["year"]), _month_name(groups["month"]))
    if kind == "year":
        return PartialDate(int(groups["year"]))
    if kind == "relative_year":
        rel = groups["rel"].lower()
        return PartialDate(pub.year + (-1 if rel == "last" else 1 if rel == "next" else 0))
    if kind in {"relative_month", "relative_week"}:
        rel = groups["rel"].lower()
        if pub.month is None:
            return PartialDate(pub.year)
        if kind == "relative_week":
            return PartialDate(pub.year, pub.month)
        year, month = _shift_month(pub.year, pub.month, -1 if rel == "last" else 1 if rel == "next" else 0)
        return PartialDate(year, month)
    if kind == "ago":
        n = groups["n"].lower()
        count = int(n) if n.isdigit() else NUMBERS[n]
        unit = groups["unit"].lower()
        if unit.startswith("year"):
            return PartialDate(pub.year - count)
        if unit.startswith("month") and pub.month is not None:
            return PartialDate(*_shift_month(pub.year, pub.month, -count))
        return PartialDate(pub.year, pub.month) if pub.month else PartialDate(pub.year)
    if kind == "season":
        rel, month = groups["rel"].lower(), SEASONS[groups["season"].lower()]
        season_anchor = pub.month or 6
        if rel == "last":
            return PartialDate(pub.year if month < season_anchor else pub.year - 1)
        if rel == "next":
            return PartialDate(pub.year if month > season_anchor else pub.year + 1)
        return PartialDate(pub.year)
    if kind == "named_month":
        month = _month_name(groups["month"])
        rel = (groups.get("rel") or "").lower()
        if pub.month is None:
            return PartialDate(pub.year, month)
        pub_month = pub.month
        if rel == "last":
            return PartialDate(pub.year if month < pub_month else pub.year - 1, month)
        if rel == "next":
            return PartialDate(pub.year if month > pub_month else pub.year + 1, month)
        if rel == "this":
            return PartialDate(pub.year, month)
        return PartialDate(_nearest_year(pub, month, None, future, past), month)
    if kind == "weekday":
        if pub.day is None or pub.month is None:
            return PartialDate(pub.year, pub.month) if pub.month else PartialDate(pub.year)
        anchor = datetime.date(pub.year, pub.month, pub.day)
        target = WEEKDAYS[groups["weekday"].lower()]
        rel = (groups.get("rel") or "").lower()
        back = (anchor.weekday() - target) % 7
        ahead = (target - anchor.weekday()) % 7
        if rel == "next" or (future and rel != "last" and ahead != 0):
            when = anchor + datetime.timedelta(days=ahead or 7)
        else:
            when = anchor - datetime.timedelta(days=back if rel != "last" else (back or 7))
        return PartialDate(when.year, when.month, when.day)
    if kind == "day_word":
        if pub.day is None or pub.month is None:
            return PartialDate(pub.year, pub.month) if pub.month else PartialDate(pub.year)
        delta = {"yesterday": -1, "today": 0, "tomorrow": 1}[groups["word"].lower()]
        when = datetime.date(pub.year, pub.month, pub.day) + datetime.timedelta(days=delta)
        return PartialDate(when.year, when.month, when.day)
    return None


def _role(sentence: str, begin: int) -> str:
    before = sentence[max(0, begin - 30) : begin].lower()
    if re.search(r"\b(since|from)\s+(early |late |mid-)?$", before) or re.search(
            r"\bsince\b[^,;]*\b(?:in|on)\s+$", before):
        return "since"  # "since 2013", "since Abe took office in December 2012"
    if re.search(r"\b(until|till|through)\s+(early |late |mid-)?$", before):
        return "until"
    if re.search(r"\b(prior to|before|ahead of)\b[^,;]*$", before):
        return "before"
    return "point"


def find_dates(sentence: str, published: PartialDate) -> list[DateMention]:
    """Every date expression in the sentence, resolved; overlapping matches keep the first found."""
    taken = [False] * (len(sentence) + 1)
    found: list[DateMention] = []
    for kind, pattern in _COMPILED:
        for m in pattern.finditer(sentence):
            begin, end = m.start(), m.end()
            if kind == "named_month" and m.group("prep"):
                # "in May" -> the date is the month, not the preposition
                begin = m.start("month") if m.group("prep") in {"the", "of"} else begin
            if any(taken[begin:end]):
                continue
            for i in range(begin, end):
                taken[i] = True
            if kind == "decade":
                continue  # "the 1980s" is background, never an event date
            # tense near the date decides: "met on Monday and will return next month"
            window = sentence[max(0, begin - 40) : begin]
            # "had been due to travel in April": a plan in the past, not the future
            future = bool(_FUTURE.search(window)) and not re.search(r"\b(?:had|was|were)\b", window)
            past = not future and bool(_PAST.search(sentence[max(0, begin - 60) : begin]))
            value = _resolve(kind, m, published, future, past)
            found.append(DateMention(begin, end, sentence[begin:end], value, _role(sentence, begin)))
    found.sort(key=lambda d: d.begin)
    return found
