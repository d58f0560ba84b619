"""The countries a field may name: the ISO 3166-1 codes, their English names, and a code for a name as people write it.

The codes are what ``fields.country`` accepts; the names come from the CLDR
(via Babel) and are what pages, feeds, calendars and the map show. Apart
from :mod:`fields` because the outputs need the names without any parser,
and the parsers need the data without the outputs.
"""

from __future__ import annotations

import difflib
from functools import lru_cache

from babel import Locale

COUNTRIES = frozenset(
    """AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY
    BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO
    FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM
    JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ
    MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE
    RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT
    TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS XK YE YT ZA ZM ZW""".split()
)
_TERRITORIES = Locale("en").territories  # English country names from the CLDR


def country_name(code: str) -> str:
    """``RO`` → ``Romania`` (English names from the CLDR, via Babel)."""
    return str(_TERRITORIES.get(code, code))


@lru_cache(maxsize=1)
def _country_names() -> dict[str, str]:
    """Country names as people write them (English, from the CLDR via Babel), casefolded, to their code."""
    names = {str(name).casefold(): code for code, name in _TERRITORIES.items() if code in COUNTRIES}
    names.update({"czech republic": "CZ", "holland": "NL", "england": "GB", "great britain": "GB", "turkey": "TR", "korea": "KR"})
    return names


def country_code_for(name: str) -> str | None:
    """The code of a country written by its name (``Germany`` → ``DE``, ``Romaina`` → ``RO``), or None."""
    names = _country_names()
    key = " ".join(name.replace("_", " ").split()).casefold()
    if key in names:
        return names[key]
    close = difflib.get_close_matches(key, list(names), n=1, cutoff=0.85)
    return names[close[0]] if close else None
