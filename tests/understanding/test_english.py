"""English callers' questions told from their reports by a rule
(understanding.english).  These examples are the rule's own; the frozen
held-out sets (config/knowledge/heldout-en.yaml, complaints-en.yaml) only
measure it (`flask --app app knowledge evaluate --set english`)."""
import pytest

from understanding.english import is_english_question
from understanding.reading import KeywordReader

QUESTIONS = [
    "How do I get permission to sell on the street?",
    "hi, um, what time are your operators available",
    "Excuse me, where can I put renovation waste?",
    "Is the hotline open on public holidays?",
    "are you open at the weekend",
    "I'd like to know how long a repair takes",
    "Do I need a licence for my dog?",
    "someone is injured, what number do I ring",
    "my scooter hit a broken manhole, who pays",
    "yes hello, quick question, can I report without giving my name",
]
REPORTS = [
    "The street light outside number 5 is broken",
    "Can you send someone to fix the lamp on Hailing Road",
    "Why is the rubbish never collected here?",
    "Is anyone going to fix the road?",
    "could somebody come and clean the street please",
    "hello, there is a big hole in the pavement near the bank",
    "How many times do I have to call about the noise?",
    "what a mess, there are bins overflowing outside my building for three days now",
    "my neighbour is building an illegal extension",
    "",
]


@pytest.mark.parametrize("text", QUESTIONS)
def test_questions_asking_for_information_are_questions(text):
    assert is_english_question(text)


@pytest.mark.parametrize("text", REPORTS)
def test_reports_and_requests_to_act_are_not(text):
    assert not is_english_question(text)


def test_the_reader_of_other_languages_says_whether_english_is_a_question():
    reader = KeywordReader(())
    assert reader.read("How do I register my dog?").question == 1.0
    assert reader.read("A dog bit my son near the park").question == 0.0
    assert reader.read("请问狗怎么登记").question == 0.0      # Chinese is the model's, never the rule's
