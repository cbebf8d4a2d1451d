"""Content we ship, written by us: the default "Empathic customer conversation" rubric (levels 0-4)
and a short empathy self-report instrument. Plain data; ``services`` turns it into rows.

No third-party questionnaire text is shipped: organizations import their own licensed instrument
as JSON (``services.instrument_import_json``).
"""
from __future__ import annotations

from typing import Any

DEFAULT_RUBRIC_SLUG = "empathic-customer-conversation"
DEFAULT_INSTRUMENT_SLUG = "service-empathy-check"

LEVEL_LABELS = ["Missing", "Emerging", "Developing", "Skilled", "Exemplary"]


def _criterion(key: str, title: str, description: str, levels: list[tuple[str, str]]) -> dict[str, Any]:
    return {"key": key, "title": title, "description": description, "weight": 1,
            "levels": [{"points": points, "label": LEVEL_LABELS[points], "descriptor": descriptor, "example": example}
                       for points, (descriptor, example) in enumerate(levels)]}


DEFAULT_RUBRIC: dict[str, Any] = {
    "slug": DEFAULT_RUBRIC_SLUG,
    "title": "Empathic customer conversation",
    "description": "How well the agent notices, understands and answers the customer's feelings while solving "
                   "the problem. Score each criterion from 0 (missing) to 4 (exemplary).",
    "criteria": [
        _criterion("notices-cue", "Notices the emotional cue",
                   "Picks up the feeling behind the words: worry, irritation, embarrassment, urgency.", [
                       ("Goes straight to procedure; the feeling is not registered.", "Order number, please."),
                       ("Registers a feeling only after it is repeated or escalated.", "I see you are upset now."),
                       ("Notices the obvious cue but misses quieter ones.", "That sounds annoying."),
                       ("Notices the main cues as they appear.", "You mentioned the party is tomorrow."),
                       ("Notices cues early, including unspoken ones, and checks them.",
                        "You said 'again' - has this happened before?"),
                   ]),
        _criterion("names-feeling", "Names and validates the feeling",
                   "Puts the feeling into words and treats it as understandable.", [
                       ("Ignores or contradicts the feeling.", "There is no reason to be upset."),
                       ("Uses a stock apology instead of naming anything.", "Sorry for any inconvenience."),
                       ("Names a feeling in general terms.", "I understand your frustration."),
                       ("Names the specific feeling and why it makes sense.",
                        "Waiting three days without news would worry anyone."),
                       ("Names it precisely, validates it, and lets the customer confirm or correct.",
                        "It sounds like the worst part is not knowing - is that right?"),
                   ]),
        _criterion("open-questions", "Explores with open questions",
                   "Asks questions that let the customer explain what matters to them.", [
                       ("Asks no questions, or only for account data.", "Account number?"),
                       ("Asks closed questions that steer the answer.", "So you want a refund, yes?"),
                       ("Asks one open question, then returns to the script.", "What happened?"),
                       ("Uses open questions to understand the need behind the request.",
                        "What would a good outcome look like for you?"),
                       ("Follows the customer's answers with well-timed, curious questions.",
                        "You said the gift matters most - tell me more about the timing."),
                   ]),
        _criterion("listens-actively", "Listens actively",
                   "Lets the customer finish, paraphrases, and does not interrupt.", [
                       ("Interrupts or talks over the customer.", "Yes, yes, I know, but -"),
                       ("Waits to speak but does not show understanding.", "Okay. Next question."),
                       ("Paraphrases occasionally, sometimes inaccurately.", "So the parcel is lost?"),
                       ("Paraphrases accurately at the key moments.",
                        "So it arrived, but damaged, and you need it by Friday."),
                       ("Summarises content and feeling, and invites correction.",
                        "Let me check I have it all: ... Did I miss anything?"),
                   ]),
        _criterion("respect-support", "Offers respect and support",
                   "Treats the customer as a capable adult and offers help in a warm tone.", [
                       ("Blames, lectures or talks down to the customer.", "You should have read the terms."),
                       ("Neutral but cold; help is offered grudgingly.", "I can try, I suppose."),
                       ("Polite and helpful, with little warmth.", "I will process that for you."),
                       ("Warm and respectful; makes clear they are on the customer's side.",
                        "Let's sort this out together."),
                       ("Warm, respectful and reassuring, and owns the next steps personally.",
                        "I will stay on this until it is fixed and call you back by 5 pm."),
                   ]),
        _criterion("tailors-resolution", "Tailors the resolution to the stated concern",
                   "The solution answers what the customer said matters, not only the ticket category.", [
                       ("Offers no resolution, or one that ignores the concern.", "Please send an email."),
                       ("Offers the standard fix regardless of the concern.", "A replacement ships in 7 days."),
                       ("Adjusts the standard fix partly to the concern.", "I can ask for faster shipping."),
                       ("Offers options fitted to the concern and explains them.",
                        "Express courier tomorrow, or a refund now so you can buy locally."),
                       ("Fits the options to the concern, lets the customer choose, and confirms it helps.",
                        "Which of these helps most for Friday? ... Does that take the worry away?"),
                   ]),
    ],
}

DEFAULT_INSTRUMENT: dict[str, Any] = {
    "format": "empathy-lms/instrument", "version": 1,
    "slug": DEFAULT_INSTRUMENT_SLUG,
    "title": "Service empathy check (short form)",
    "instructions": "Think of your conversations with customers over the last few weeks. How much does each "
                    "statement describe you?",
    "scale": {"min": 1, "max": 5, "allow_na": False,
              "labels": {"1": "Not at all like me", "2": "A little like me", "3": "Somewhat like me",
                         "4": "Mostly like me", "5": "Very much like me"}},
    "scoring": "mean", "max_missing": 2,
    "licence": "Written for Empathy LMS; free to use with the product.",
    "items": [
        {"key": "notice-mood", "text": "I notice how a customer feels before they say it outright.",
         "subscale": "noticing"},
        {"key": "tone-shift", "text": "I pick up when a customer's tone changes during a conversation.",
         "subscale": "noticing"},
        {"key": "miss-signals", "text": "I often realise only afterwards that a customer was upset.",
         "reverse": True, "subscale": "noticing"},
        {"key": "their-shoes", "text": "I can see why a complaint makes sense from the customer's side.",
         "subscale": "understanding"},
        {"key": "overreacting", "text": "When customers get emotional, I think they are overreacting.",
         "reverse": True, "subscale": "understanding"},
        {"key": "name-feeling", "text": "I put into words what a customer seems to be feeling.",
         "subscale": "responding"},
        {"key": "ask-more", "text": "I ask questions to find out what matters most to the customer.",
         "subscale": "responding"},
        {"key": "rush-script", "text": "I move to the standard answer before the customer has finished.",
         "reverse": True, "subscale": "responding"},
        {"key": "adapt-fix", "text": "I adapt my solution to what the customer told me they need.",
         "subscale": "responding"},
        {"key": "stay-calm", "text": "I stay patient and warm with customers who are angry with me.",
         "subscale": "understanding"},
    ],
}
