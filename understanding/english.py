"""Whether an English caller is asking rather than reporting.

Pure.  The question-or-complaint model knows Mandarin only; for English a
short rule reads how the words open, as the urgency cues do for danger:

- a question opens by asking for information (how, what, where, when, which,
  who, "do I", "can I", "is there", "I'd like to know"), after the greeting
  and fillers a caller starts with ("hi, yes, um, excuse me");
- a report does not, and neither does a request for action phrased as a
  question ("can you send someone", "could somebody come", "why is the
  rubbish never collected", "is anyone going to ..."): those ask the
  hotline to act, so they are complaints;
- an information-seeking opening followed by a report of what is wrong here
  and now ("... there is a hole outside my building") is a report.

Tuned on the knowledge base's English asks (questions) and the examples in
tests/understanding/test_english.py, never on the held-out sets
(config/knowledge/heldout-en.yaml, config/knowledge/complaints-en.yaml).
"""
from __future__ import annotations

import re

_FILLERS = re.compile(
    r"^(?:(?:hi|hello|hey|yes|yeah|yep|ok|okay|um+|uh+|er+m?|ah+|oh|so|well|sorry|excuse me|please|good "
    r"(?:morning|afternoon|evening)|hi there|hello there|thank you|thanks)\b[\s,.!;:-]*)+")
# Openings that ask for information.
_ASKING = re.compile(
    r"^(?:how|what|what's|whats|where|where's|when|which|who|who's|whom|whose|"
    r"is there|are there|is it|is this|are you the|do i|do we|do you (?:know|handle|deal|take|accept|"
    r"cover|have)|does|did i|can i|could i|may i|might i|should i|shall i|must i|am i|will i|would i|"
    r"i(?:'d| would| just want| want| wanted| need|d) (?:like )?to (?:know|ask|check|find out)|"
    r"i(?:'m| am) (?:wondering|calling to ask|not sure)|i wonder|i was wondering|"
    r"(?:i have|i've got|just) a (?:quick )?question|quick question|question|"
    r"can you tell me|could you tell me|tell me|do you know|any idea|"
    # yes-or-no questions about the hotline, the offices or the caller's own case
    r"(?:is|are|will|would|can|does|do|was|were|has|have) (?:the|this|your|you|my|a|an|it|that|they|"
    r"there|anyone|the person|government|city|public)\b(?! (?:going to|gonna) (?:fix|send|come|do)))\b")
# A question asked after the circumstances: "... who should I call".
_ASKED_LAST = re.compile(
    r"(?:^|[,.;!?]\s*|\s)(?:so |then |and |but )?(?:who|what|where|which|how|is that|is it|can i|do i) "
    r"(?:should|do|can|could|must|shall|number|department|office|one|handles?|deals?|fix(?:es)?|pays?|"
    r"okay|ok|allowed|mean|i|we)\b[^,.;!]*\??$")
# Asking the hotline to act, though phrased as a question.
_ACTING = re.compile(
    r"^(?:can you|could you|would you|will you|can somebody|can someone|could somebody|could someone|"
    r"why|is anyone|is anybody|is someone|is somebody|are you going|when (?:will|are) you going to "
    r"(?:fix|send|come|clean|remove|repair)|how (?:long|many times) (?:do|must|should|will|have) (?:i|we) "
    r"(?:have to )?(?:wait|call|complain))\b")
# What is wrong here and now: a report, whatever the opening.
_REPORTING = re.compile(
    r"\b(?:there(?:'s| is| are) (?:a|an|some|two|three|many|lots of|no) [a-z ]*(?:broken|missing|hole|leak|"
    r"rubbish|garbage|trash|flood|blocked|fallen|dead|noise)|outside my|in front of my|next to my|"
    r"has been (?:broken|missing|out|off|blocked|leaking)|have been (?:broken|missing|blocked)|"
    r"since (?:last|yesterday|this)|for (?:a|one|two|three|four|five|several|many|\d+) "
    r"(?:days?|weeks?|months?|nights?|hours?) now|right now|at the moment)\b")


def _opening(text: str) -> str:
    said = " ".join((text or "").lower().replace("’", "'").split())
    said = re.sub(r"[\"“”]", "", said)
    return _FILLERS.sub("", said).lstrip(" ,.!?;:-")


def is_english_question(text: str | None) -> bool:
    said = _opening(text or "")
    if not said or _ACTING.match(said) or _REPORTING.search(said):
        return False
    return bool(_ASKING.match(said) or _ASKED_LAST.search(said))
