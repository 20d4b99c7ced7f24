"""Language codes the `language` column may hold: ISO 639-1, else ISO 639-3."""

from __future__ import annotations

import re

# One string per set keeps the lists readable; split once at import.
_ISO_639_1 = """
aa ab ae af ak am an ar as av ay az ba be bg bi bm bn bo br bs ca ce ch co cr cs cu cv cy
da de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr ht hu
hy hz ia id ie ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks ku kv kw ky la lb
lg li ln lo lt lu lv mg mh mi mk ml mn mr ms mt my na nb nd ne ng nl nn no nr nv ny oc oj om
or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd se sg si sk sl sm sn so sq sr ss st su sv sw
ta te tg th ti tk tl tn to tr ts tt tw ty ug uk ur uz ve vi vo wa wo xh yi yo za zh zu
"""

# ISO 639-3 codes the language identifier emits for languages without a 639-1 code
# (Cantonese, Egyptian Arabic, ...); `zxx` is "no linguistic content".
_ISO_639_3_EXTRA = """
ace ary arz bcl crh ext fuv gcf gcr gom grc gug guw hbo kab kik lij ltg nso pcm sdh uzs
vec wuu yue zxx
"""

ISO_639_1: frozenset[str] = frozenset(_ISO_639_1.split())
ISO_639_3_EXTRA: frozenset[str] = frozenset(_ISO_639_3_EXTRA.split())
LANGUAGE_CODES: frozenset[str] = ISO_639_1 | ISO_639_3_EXTRA

_PRIMARY = re.compile(r"[A-Za-z]{2,3}(?=$|[-_])")


def primary_subtag(tag: str | None) -> str | None:
    """The language of a BCP 47 / POSIX tag, lower case ("de-CH", "pt_BR" -> "de", "pt").

    None unless the tag starts with two or three ASCII letters ending the tag or followed by
    `-` or `_`; whether that code is a known language is LANGUAGE_CODES' job.
    """
    m = _PRIMARY.match((tag or "").strip())
    return m.group(0).lower() if m else None
