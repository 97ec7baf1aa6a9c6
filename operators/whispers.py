"""What is said on the operator's and the department's side before a bridge:
who is calling, what they said, what is already open for them."""
from __future__ import annotations

from config.catalog import HotlineConfig, PromptSet
from ivr.voice import CallState, Digits, Utterance, render


def operator_whisper(config: HotlineConfig, line_id: str | None, caller_e164: str | None,
                     state: CallState | None, open_cases: int, language: str = "zh-CN") -> Utterance:
    prompts: PromptSet = config.prompts[language]
    line = config.lines.get(line_id or "")
    said = ""
    if state is not None and state.description:
        said = render(prompts, "whisper_said", said=state.description).text
    cases = render(prompts, "whisper_open_cases", count=open_cases).text if open_cases else ""
    return render(prompts, "whisper_operator", line=line.name(language) if line else "",
                  last_four=Digits((caller_e164 or "")[-4:] or "0000"), said=said, open_cases=cases)


def department_whisper(config: HotlineConfig, case_number: str | None, category_code: str | None,
                       location: str | None, language: str = "zh-CN") -> Utterance:
    """No case filed yet (a warm transfer before the form is saved): the
    department is told so, not read an empty number; a case without its
    category or place says they are not yet known."""
    prompts = config.prompts[language]
    if not case_number:
        return render(prompts, "whisper_department_call")
    category = config.categories.get(category_code or "")
    unknown = render(prompts, "whisper_department_unknown").text
    return render(prompts, "whisper_department", case_number=Digits(case_number),
                  category=category.name(language) if category else unknown, location=location or unknown)


def department_summary(config: HotlineConfig, case_number: str | None, category_code: str | None,
                       location: str | None, language: str = "zh-CN") -> list[Utterance]:
    """The case summary a department hears before it speaks (a cold
    transfer's whisper, a warm transfer's announcement): in Mandarin first,
    then again in the caller's language when that is another the hotline speaks."""
    languages = ["zh-CN"] + ([language] if language != "zh-CN" and language in config.prompts else [])
    return [department_whisper(config, case_number, category_code, location, each) for each in languages]
