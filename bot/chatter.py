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

# Words that open a chat message without being part of its question ("hey team, …", "quick q - …",
# "btw …"), with whom they address ("hi all"). Those that also start real questions or names ("So
# Solid Crew", "Question Time", "Evening Standard") count only with punctuation after them.
_OPENER = (
    r"hi|hello|hey|heya|hiya|howdy|good (?:morning|afternoon|evening)|quick (?:q|qn|question|one)|btw|"
    r"by the way|um+|uh+|hmm+|sorry|excuse me|please|pls|plz"
)
_OPENER_WITH_STOP = r"q|qn|question|ok|okay|so|also|yo|morning|afternoon|evening|newsdesk"
_ADDRESSEE = r"there|all|team|folks|everyone|everybody|guys|y'all|newsdesk|bot"
_STOP = r"\s*[,:;!.?–—]+\s*|\s+[-–—]+\s+"  # a hyphen only spaced: "Hi-tech" is a word
_OPENING = re.compile(
    rf"^(?:(?:{_OPENER})(?:\s+(?:{_ADDRESSEE}))?(?:{_STOP}|\s+)|(?:{_OPENER_WITH_STOP})(?:\s+(?:{_ADDRESSEE}))?(?:{_STOP}))",
    re.IGNORECASE,
)
_SIGN_OFF = re.compile(
    r"(?:^|[\s,;:–—-]+)(?:thanks|thank you|thx|ty|tia|cheers|ta|please|pls|plz)"
    r"(?:\s+(?:a lot|so much|very much|in advance|all|team))?[\s.!?]*$",
    re.IGNORECASE,
)
# Slack writes emoji as :shortcode: (with a skin tone as a second one); typed ones are symbols.
_SHORTCODE = re.compile(r"(?<!\S):[a-z0-9_+'-]*[a-z][a-z0-9_+'-]*:(?::skin-tone-\d:)?(?!\S)", re.IGNORECASE)
# Question words typed without their apostrophe; restored so the question reads as written English.
_UNAPOSTROPHED = re.compile(r"\b(what|who|where|when|how|why|that|there)s\b", re.IGNORECASE)
# Chat's short forms of words news articles spell out ("the chief exec of Burren Energy").
_SPELLED_OUT = {"exec": "executive", "execs": "executives", "govt": "government", "dept": "department"}
_SHORT_FORM = re.compile(rf"\b({'|'.join(_SPELLED_OUT)})\b", re.IGNORECASE)


def without_chatter(text: str) -> str:
    """The question in a chat message, or "" when the message is only chatter."""
    text = _SHORTCODE.sub(" ", text)
    text = "".join(" " if unicodedata.category(char) == "So" else char for char in text)
    text = " ".join(text.split())
    while (opening := _OPENING.match(text)) and opening.end() < len(text):
        text = text[opening.end() :]
    if _OPENING.fullmatch(text + ".") or _SIGN_OFF.fullmatch(" " + text):
        return ""
    text = _SIGN_OFF.sub("", text)
    text = _UNAPOSTROPHED.sub(r"\1's", text)
    text = _SHORT_FORM.sub(lambda found: _SPELLED_OUT[found.group(1).lower()], text)
    return text.strip(" ,;:-–—")
