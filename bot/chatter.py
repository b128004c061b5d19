"""What people type around a question in chat: greetings, lead-ins, sign-offs, emoji, apostrophe-less
spellings.

"Hi, quick one: whos the chief exec of Burren Energy? thanks :pray:" asks "who's the chief exec of
Burren Energy?". Left in, the extra words are read as the question's topic: "Hi" became the subject
of "what did Churkin say about sanctions" ("no remark by Vitaly Churkin about Hi sanctions"), and
"quick", "one" and "thanks" counted against every article's coverage of the question until it was
refused. Every surface (Slack, `newsdesk ask`, the evaluation) reads questions through
`without_chatter`, so they agree on what was asked; a message that is nothing but chatter ("hi",
"thanks!", ":wave:") comes out empty, and the Slack layer answers it with a hint instead of a search.
"""

from __future__ import annotations

import re
import unicodedata

# Words that open a chat message without being part of its question ("hey team, what …", "quick q -
# …", "ok thanks, …"), with whom they address ("hi all"). Without punctuation after them they count
# only before a lower-case word or a question word: "Hey Jude", "Please Please Me" and "Good Morning
# Vietnam" are names, "hey what did …" is not. Some count only with punctuation ("So Solid Crew",
# "Question Time", "Evening Standard", "Cheers" are names or questions).
_OPENER = (
    r"hi|hello|hey|heya|hiya|howdy|good (?:morning|afternoon|evening)|quick (?:q|qn|question|one)|btw|"
    r"by the way|um+|uh+|hmm+|sorry|excuse me|please|pls|plz"
)
_CHATTY = (
    rf"{_OPENER}|q|qn|question|ok|okay|so|also|yo|morning|afternoon|evening|newsdesk|thanks|thank you|thx|"
    r"cheers|great|cool|nice|perfect|awesome|ah|oh"
)
_ADDRESSEE = r"there|all|team|folks|everyone|everybody|guys|y'all|newsdesk|bot"
_ASKING = r"what|who|whom|whose|when|where|why|how|which|did|does|do|is|are|was|were|can|could|has|have|any"
_STOP = r"\s*[,:;!.?–—]+\s*|\s+[-–—]+\s+"  # a hyphen only spaced: "Hi-tech" is a word
_OPENING = re.compile(
    rf"^(?:(?:(?:{_CHATTY})\s+){{0,2}}(?:{_CHATTY})(?:\s+(?:{_ADDRESSEE}))?(?:{_STOP})"
    rf"|(?:{_OPENER})(?:\s+(?:{_ADDRESSEE}))?\s+(?=(?-i:[a-z])|(?:{_ASKING})\b))",
    re.IGNORECASE,
)
# Thanks after the question, marked off by punctuation ("…? TIA", "…, thanks in advance"): "Who
# starred in Cheers" and "who sang Thank You" end in no sign-off.
_SIGN_OFF = re.compile(
    r"(?:^|(?<=[,;:.!?–—-])\s*|\s*[,;:–—-]+\s*)(?:thanks|thank you|thx|ty|tia|cheers|ta|please|pls|plz)"
    r"(?:\s+(?:a lot|so much|very much|in advance|all|team))?[\s.!?]*$",
    re.IGNORECASE,
)
# Slack writes emoji as :shortcode:, one after another and with a skin tone as a second one (":+1:",
# ":pray::pray:", ":wave::skin-tone-2:"); not a time ("10:30:").
_SHORTCODE = re.compile(r"(?<![\w:])(?::[a-z0-9_+'-]+:)+", re.IGNORECASE)
# Typed emoji: pictographs (symbols from the arrows block up; "°", "®" and "™" stay), skin tones,
# the variation selector and the joiner that build them.
_EMOJI_PARTS = frozenset({"\ufe0f", "\ufe0e", "\u200d"})


def _emoji(char: str) -> bool:
    return char in _EMOJI_PARTS or (ord(char) >= 0x2190 and unicodedata.category(char) in ("So", "Sk"))


# Question words typed without their apostrophe; restored so the question reads as written English.
_UNAPOSTROPHED = re.compile(r"\b(what|who|where|when|how|why|that|there)s\b", re.IGNORECASE)
# Chat's short forms of words news articles spell out ("the chief exec of Burren Energy").
_SPELLED_OUT = {"exec": "executive", "execs": "executives", "govt": "government", "dept": "department"}
_SHORT_FORM = re.compile(rf"\b({'|'.join(_SPELLED_OUT)})\b", re.IGNORECASE)


def without_chatter(text: str) -> str:
    """The question in a chat message, or "" when the message is only chatter."""
    text = _SHORTCODE.sub(" ", text)
    text = "".join(" " if _emoji(char) else char for char in text)
    text = " ".join(text.split())
    while (opening := _OPENING.match(text)) and opening.end() < len(text):
        text = text[opening.end() :]
    if _OPENING.fullmatch(text + ".") or _SIGN_OFF.fullmatch(" " + text):
        return ""
    text = _SIGN_OFF.sub("", text)
    text = _UNAPOSTROPHED.sub(r"\1's", text)
    text = _SHORT_FORM.sub(lambda found: _SPELLED_OUT[found.group(1).lower()], text)
    return text.strip(" ,;:-–—")
