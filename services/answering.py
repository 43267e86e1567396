"""The answering policy: answer, suggest close matches, or hand over to a human — never guess."""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from pathlib import Path

from knowledge.confidence import Evidence
from knowledge.example_index import ExampleIndex, load_or_build_index
from knowledge.features import feature_counts
from knowledge.intents import MessageIntent, intent_of_label
from knowledge.model import Entry, load_entries
from knowledge.question_model import Prediction
from knowledge.text import QUESTION_WORD, content_words, fold, words
from knowledge.trained import Limits, TrainedModel, calibration_file
from knowledge.training import load_or_train
from knowledge.vectors import message_counts
from services.case_rules import is_complaint, tells_own_case
from services.framing import strip_mail_framing
from services.intents import Intent, classify
from services.reading import Reading, asks_anything, read_message, without_polite_frame
from services.smalltalk_rules import asks_who_answers, greets, thanks, wishes_well

MAX_QUESTION_CHARS = 2000
# follow-up questions shown under an answer
RELATED = 3
# labels the model names for a message (entries and intents); the policy looks at the first few
PREDICTIONS = 8
# An entry the message matches at least this share as well as the answered one leads its follow-ups.
ALSO_ASKED = 0.6
# "Meinten Sie …?" only when the runner-up is nearly as likely as the best entry.
CLOSE_RUNNER_UP = 0.5
# A message of one content word ("Förderung", "Frist") names a topic, not a question: it gets choices.
MIN_ANSWER_WORDS = 2
# A message that asks nothing is a statement from this many words, two of them little words ("das", "an");
# with fewer it is a search ("Förderung Radwege Landkreis")
MIN_STATEMENT_WORDS = 4
MIN_LITTLE_WORDS = 2
VAGUE_SUGGESTION = 0.05
# A question the knowledge base can answer confidently goes to a person as a concrete case only when the
# case model is clearly sure: general questions told with a story about the own municipality ("unser
# Zweckverband plant …", "für die Mittelanmeldung im Haushalt …") reach 0.5-0.65, the concrete cases
# among confidently answerable messages 0.8 and more (own and holdout sets, half a of eval-dev).
CLEAR_CASE = 0.7
# The example index is stored beside the model file (building it reads every example)
INDEX_FILE_NAME = "example-index.npz"
# Small talk opened with a greeting is a greeting unless the model hears one of these in it ("Hallo,
# danke für die Hilfe!", "hallo, wer bist du?", "Hallo, was kannst du?", "Hallo und frohe Weihnachten")
_SAID_WITH_A_GREETING = (
    MessageIntent.THANKS,
    MessageIntent.IDENTITY,
    MessageIntent.CAPABILITIES,
    MessageIntent.WISHES,
)
log = logging.getLogger(__name__)


class AnswerKind(StrEnum):
    """The four outcomes a channel has to present."""

    ANSWER = "answer"
    SUGGEST = "suggest"
    ESCALATE = "escalate"
    HELP = "help"


@dataclass(frozen=True)
class Answer:
    """What the policy decided for one question; channels only present it."""

    question: str
    kind: AnswerKind
    reason: str
    entry: Entry | None = None
    score: float = 0.0
    margin: float = 0.0
    suggestions: tuple[Entry, ...] = ()
    related: tuple[Entry, ...] = ()
    considered: tuple[Entry, ...] = field(default=(), repr=False)
    overdue: bool = False
    # small talk: which kind (greeting, thanks, ...), so that the reply fits
    intent: MessageIntent | None = None
    # the question was written in English; the answer stays German and says so
    english: bool = False

    @property
    def answered(self) -> bool:
        """True when the user got a knowledge-base answer."""
        return self.kind is AnswerKind.ANSWER

    @property
    def offer_advisor(self) -> bool:
        """True when a human advisor should be offered alongside."""
        if self.kind is AnswerKind.SUGGEST or (
            self.kind is AnswerKind.ESCALATE and self.reason != "offtopic"
        ):
            return True
        return self.kind is AnswerKind.ANSWER and (self.overdue or bool(self.entry and self.entry.consult))


class AnsweringService:
    """Channel-neutral use case: one question in, one `Answer` out."""

    def __init__(
        self,
        entries: Sequence[Entry],
        trained: TrainedModel,
        today: Callable[[], dt.date] = dt.date.today,
        index: ExampleIndex | None = None,
    ):
        self.entries = list(entries)
        self.by_id = {entry.id: entry for entry in self.entries}
        self.index = index if index is not None else ExampleIndex.of_entries(self.entries)
        self._related: dict[str, tuple[Entry, ...]] = {}
        self.trained = trained
        self.model = trained.model
        self.case_model = trained.case
        self.limits: Limits = trained.limits
        self._today = today

    def answer(self, question: str) -> Answer:
        """Decide how to respond to a free-text message."""
        original = question.strip()
        reading = read_message(original[:MAX_QUESTION_CHARS])
        text = reading.question
        if not any(ch.isalnum() for ch in text):
            # emoji only, "?", "👍": a friendly reply with the menu
            intent = MessageIntent.CAPABILITIES if "?" in text else MessageIntent.ACKNOWLEDGEMENT
            return _smalltalk(original, intent)
        counts, predictions = self._predictions(reading)
        entries = self._entries(predictions)
        considered = tuple(entry for entry, _ in entries[:3])
        whole = f"{text} {reading.story}"
        # "wie wird man Klima-Kommune": one topic word, but clearly a question
        vague = self._concepts(whole) < MIN_ANSWER_WORDS and not QUESTION_WORD.search(fold(whole))
        confidence = 0.0
        if entries and not vague:
            confidence = self._confidence(reading, predictions, entries[0][1])
        # a bare topic ("Sprinter Zuschlag") tells no case of its own: it needs a clear one, like an answer
        intent = self._intent(
            reading, counts, predictions, answerable=vague or confidence >= self.limits.answer
        )
        if intent is not None and intent.is_smalltalk:
            return _smalltalk(original, intent)
        if intent is MessageIntent.HUMAN:
            return Answer(original, AnswerKind.ESCALATE, "human", english=reading.english)
        if intent is MessageIntent.CASE:
            return Answer(
                original, AnswerKind.ESCALATE, "case_specific", considered=considered, english=reading.english
            )
        off_topic = intent is MessageIntent.OFFTOPIC or (
            confidence >= self.limits.answer and self._off_topic_alone(reading)
        )
        weak = not entries or (
            entries[0][1].similarity < self.limits.min_score and confidence < self.limits.answer
        )
        if off_topic or weak:
            if says_nothing_to_answer(original):
                return _smalltalk(original, likeliest_smalltalk(predictions))
            # a weak match is another topic only when the model's best label says so; otherwise it is a
            # question of the alliance's topics the entries do not answer ("ich bin neu im Bauamt und
            # soll mich ums Klima kümmern. Wo fange ich an?"): no answer, the question noted
            if off_topic or not entries or intent_of_label(predictions[0].label) is MessageIntent.OFFTOPIC:
                return Answer(
                    original, AnswerKind.ESCALATE, "offtopic", considered=considered, english=reading.english
                )
            return Answer(
                original,
                AnswerKind.ESCALATE,
                "no_match",
                score=entries[0][1].probability,
                considered=considered,
                english=reading.english,
            )
        best_entry, best = entries[0]
        margin = best.probability - _runner_up(predictions, best).probability
        if confidence >= self.limits.answer:
            answer = self.present_entry(
                original,
                best_entry,
                score=confidence,
                margin=margin,
                considered=considered,
                reason="confident",
            )
            return replace(answer, english=reading.english, related=self._with_also_asked(answer, entries))
        if vague:
            close = [
                entry for entry, p in entries[:3] if p.probability >= VAGUE_SUGGESTION * best.probability
            ]
        else:
            close = [
                entry
                for entry, p in entries[:3]
                if p.probability >= self.limits.suggest
                and p.probability >= CLOSE_RUNNER_UP * best.probability
            ]
        if len(close) >= 2 or (vague and close):
            return Answer(
                original,
                AnswerKind.SUGGEST,
                "vague" if vague else "unsure",
                score=best.probability,
                margin=margin,
                suggestions=tuple(close),
                considered=considered,
                english=reading.english,
            )
        if says_nothing_to_answer(original):
            return _smalltalk(original, likeliest_smalltalk(predictions))
        return Answer(
            original,
            AnswerKind.ESCALATE,
            "no_match",
            score=best.probability,
            margin=margin,
            considered=considered,
            english=reading.english,
        )

    def _confidence(self, reading: Reading, predictions: list[Prediction], best: Prediction) -> float:
        """The confidence model's estimate that the best entry is right, with the example index's
        second opinion."""
        runner_up = _runner_up(predictions, best)
        evidence = Evidence(
            probability=best.probability,
            runner_up_probability=runner_up.probability,
            similarity=best.similarity,
            runner_up_similarity=runner_up.similarity,
            index_agrees=float(self.index.best(f"{reading.topic} {reading.context}") == best.label),
        )
        return self.limits.confidence.confidence(evidence)

    def _with_also_asked(self, answer: Answer, entries: list[tuple[Entry, Prediction]]) -> tuple[Entry, ...]:
        """The follow-ups of an answer, led by the runner-up entry when the message matches it nearly as
        well ("Bis wann … einreichen? Und brauchen wir einen Beschluss?"): a second question gets its
        button first."""
        if len(entries) < 2:
            return answer.related
        (_, best), (second_entry, second) = entries[0], entries[1]
        if second.similarity < ALSO_ASKED * best.similarity:
            return answer.related
        others = tuple(entry for entry in answer.related if entry.id != second_entry.id)
        return (second_entry, *others)[:RELATED]

    def _concepts(self, text: str) -> int:
        """Content words of a message, a known compound written apart ("THG Bilanz") counting once."""
        words = content_words(text.replace("-", " "))
        count, i = 0, 0
        while i < len(words):
            i += 2 if i + 1 < len(words) and self.index.knows(words[i] + words[i + 1]) else 1
            count += 1
        return count

    def _intent(
        self, reading: Reading, counts: Counter[str], predictions: list[Prediction], *, answerable: bool
    ) -> MessageIntent | None:
        """The non-question intent of a message: the precise rules first, then the models. A question
        the knowledge base answers confidently needs a clear case (`CLEAR_CASE`) to go to a person. The
        case model reads the question without its polite frame ("Können Sie mir sagen, …"), which
        concrete cases and general questions share."""
        text = reading.question
        rule = classify(text)
        smalltalk = smalltalk_probability(predictions)
        if rule is Intent.HUMAN:
            return MessageIntent.HUMAN
        told = f"{reading.story} {text}"
        if rule is Intent.CASE_SPECIFIC or is_complaint(told) or tells_own_case(told):
            return MessageIntent.CASE
        if rule is not Intent.SMALLTALK:
            unframed = without_polite_frame(text)
            if unframed != text or reading.antecedent:
                counts = message_counts(unframed, reading.story)
            case = self.case_model.probability(unframed, counts=counts)
            # small talk the model is sure of ("Danke, dass Sie sich so schnell um unsere Anfrage gekümmert
            # haben") tells no case by the case model alone, only by the rules above
            chatty = smalltalk >= self.limits.smalltalk_limit
            if not chatty and case >= self.limits.case and (case >= CLEAR_CASE or not answerable):
                return MessageIntent.CASE
        best = predictions[0]
        intent = intent_of_label(best.label)
        if rule is Intent.SMALLTALK:
            folded = " ".join(fold(text).split())
            if wishes_well(folded):
                return MessageIntent.WISHES
            if intent is not None and intent.is_smalltalk:
                return intent
            # a greeting the model does not know ("guten mittag", "hallo": a word of every entry's examples)
            return MessageIntent.GREETING if greets(folded) else MessageIntent.CAPABILITIES
        if intent is None:
            return None
        # small talk counts as a whole ("Vielen Dank … Schönes Wochenende": thanks and goodbye)
        probability = smalltalk if intent.is_smalltalk else best.probability
        return intent if probability >= self.limits.intent_limit(intent) else None

    def _off_topic_alone(self, reading: Reading) -> bool:
        """True when the question sentences, read without their story, are clearly off topic: "ich war
        bei den Klimascouts dabei. Wie viele Urlaubstage stehen mir zu?" (only asked where an answer
        would be given, as it costs a second prediction)."""
        if not reading.story:
            return False
        alone = self.model.predict(reading.question, limit=1)
        return bool(alone) and (
            intent_of_label(alone[0].label) is MessageIntent.OFFTOPIC
            and alone[0].probability >= self.limits.intent
        )

    def present_entry(
        self,
        question: str,
        entry: Entry,
        *,
        score: float = 1.0,
        margin: float = 1.0,
        considered: tuple[Entry, ...] = (),
        reason: str = "chosen",
    ) -> Answer:
        """An answer from a known entry (also used when the user picks a suggestion)."""
        return Answer(
            question,
            AnswerKind.ANSWER,
            reason,
            entry=entry,
            score=score,
            margin=margin,
            related=self.related(entry),
            considered=considered or (entry,),
            overdue=entry.is_overdue(self._today()),
        )

    def related(self, entry: Entry, limit: int = RELATED) -> tuple[Entry, ...]:
        """Follow-up entries: the curated `related` list first, then the entries nearest to the entry's
        title and keywords in the example index."""
        # the entries never change, so each entry's follow-ups are looked up once
        cacheable = limit == RELATED and self.by_id.get(entry.id) is entry
        if cacheable and entry.id in self._related:
            return self._related[entry.id]
        result = [self.by_id[i] for i in entry.related if i in self.by_id and i != entry.id]
        if len(result) < limit:
            for entry_id in self.index.ranked(f"{entry.title} {' '.join(entry.keywords)}", limit + 3):
                near = self.by_id[entry_id]
                if near.id != entry.id and near not in result:
                    result.append(near)
        found = tuple(result[:limit])
        if cacheable:
            self._related[entry.id] = found
        return found

    def best_entry(self, text: str) -> Entry | None:
        """The entry the model ranks first for a message (its question sentences read as in `answer`,
        intents skipped), whatever the answering policy then decides."""
        _, predictions = self._predictions(read_message(text.strip()[:MAX_QUESTION_CHARS]))
        entries = self._entries(predictions)
        return entries[0][0] if entries else None

    def _predictions(self, reading: Reading) -> tuple[Counter[str], list[Prediction]]:
        """The message's feature counts (question and context) and the model's leading labels."""
        counts = message_counts(reading.topic, reading.context)
        for term in reading.quoted:
            # the quoted term is what is asked about: it counts once more
            counts.update(feature_counts(term))
        return counts, self.model.predict(reading.topic, limit=PREDICTIONS, counts=counts)

    def _entries(self, predictions: list[Prediction]) -> list[tuple[Entry, Prediction]]:
        """The predictions that name an entry (not an intent), with their entries."""
        return [(self.by_id[p.label], p) for p in predictions if p.label in self.by_id]

    def answer_entry(self, entry_id: str, question: str = "") -> Answer | None:
        """The answer of one entry by id, or None when the entry no longer exists."""
        entry = self.by_id.get(entry_id)
        if entry is None:
            return None
        return self.present_entry(question or entry.title, entry)


def says_nothing_to_answer(message: str) -> bool:
    """True when a message no entry fits asks nothing and wants nothing ("Ihnen und dem ganzen Team
    schöne Feiertage!", "sorry, das war an meine Kollegin"): a friendly reply with the menu suits it
    better than "no reliable answer, your question is noted" (and it is no gap of the knowledge base).
    Words without the little words of a sentence are a search ("Förderung Radwege"), not a statement."""
    framed = strip_mail_framing(message)
    found = words(framed)
    little = len(found) - len(content_words(framed))
    return len(found) >= MIN_STATEMENT_WORDS and little >= MIN_LITTLE_WORDS and not asks_anything(framed)


def _smalltalk(message: str, intent: MessageIntent) -> Answer:
    """The friendly reply to small talk; a message that opens with a greeting is answered as one unless
    thanks, a question about the bot or wishes are heard in it ("hallo aus dem Odenwald 👋": the model
    knows 👋 from goodbyes too), and "Ist da jemand?" with who answers here."""
    folded = " ".join(fold(message).split())
    if asks_who_answers(folded):
        intent = MessageIntent.IDENTITY  # "Ist da jemand?", "KI oder Mensch?": who answers here
    elif intent not in _SAID_WITH_A_GREETING and greets(folded):
        intent = MessageIntent.GREETING
    elif intent in (MessageIntent.GREETING, MessageIntent.ACKNOWLEDGEMENT) and thanks(folded):
        intent = MessageIntent.THANKS  # "Förderung ist angekommen, vielen Dank an das ganze Team!"
    return Answer(message, AnswerKind.HELP, "smalltalk", intent=intent)


def likeliest_smalltalk(predictions: list[Prediction]) -> MessageIntent:
    """The small-talk intent the model finds likeliest (an acknowledgement when it finds none)."""
    for prediction in predictions:
        intent = intent_of_label(prediction.label)
        if intent is not None and intent.is_smalltalk:
            return intent
    return MessageIntent.ACKNOWLEDGEMENT


def smalltalk_probability(predictions: list[Prediction]) -> float:
    """The probability that a message is small talk of any kind."""
    return sum(
        p.probability for p in predictions if (intent := intent_of_label(p.label)) and intent.is_smalltalk
    )


def _runner_up(predictions: list[Prediction], best: Prediction) -> Prediction:
    """The strongest label other than `best` (a zero prediction when there is none)."""
    return next((p for p in predictions if p.label != best.label), Prediction("", 0.0, 0.0))


def load_answering_service(knowledge_dir: Path, model_file: Path | None = None) -> AnsweringService:
    """Load the knowledge base and its model (trained now when the stored one is missing or stale)."""
    entries, problems = load_entries(knowledge_dir)
    for problem in problems:
        log.error("knowledge entry %s skipped: %s", problem.path.name, problem.message)
    trained = load_or_train(entries, model_file, calibration_file=calibration_file(knowledge_dir))
    index_file = model_file.with_name(INDEX_FILE_NAME) if model_file is not None else None
    return AnsweringService(entries, trained, index=load_or_build_index(entries, index_file))
