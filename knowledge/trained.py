"""The trained question model with its limits and calibration, and how both are stored on disk.

The models go to `var/question-model.npz` (and `.case.npz`) for the next start; the calibration — what
cross-validation chose — to `knowledge/limits.json` beside the entries, so that a new machine only refits.
"""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass
from pathlib import Path

from knowledge.case_model import CaseModel
from knowledge.confidence import ConfidenceModel
from knowledge.intents import MessageIntent
from knowledge.question_model import QuestionModel

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Limits:
    """The answering policy's limits, chosen by cross-validation.

    A best entry is answered when the confidence model (`knowledge/confidence.py`) gives it at least
    `answer`; the other limits are probabilities of the question model.
    """

    answer: float
    confidence: ConfidenceModel
    suggest: float
    # from this probability a wish for a person or an off-topic message is taken as such ...
    intent: float
    # the case model's probability from which a message is taken for a concrete case
    case: float
    # raw model score below which a message is too far from every entry to be answered (off topic)
    min_score: float = 0.0
    # ... and small talk (greetings, thanks, "who are you"), which all get a friendly reply (None: `intent`)
    smalltalk: float | None = None

    @property
    def smalltalk_limit(self) -> float:
        """The probability of all small talk together from which a message is taken for small talk."""
        return self.smalltalk if self.smalltalk is not None else self.intent

    def intent_limit(self, intent: MessageIntent) -> float:
        """The probability from which the question model's `intent` is believed."""
        return self.smalltalk_limit if intent.is_smalltalk else self.intent

    @classmethod
    def from_dict(cls, body: dict) -> Limits:
        """Read what `dataclasses.asdict` wrote."""
        return cls(**{**body, "confidence": ConfidenceModel.from_dict(body["confidence"])})


@dataclass(frozen=True)
class CrossValidation:
    """What k-fold prediction on the curated examples measured."""

    examples: int
    labels: int
    top1: float
    top3: float
    answered_right: float
    answered_wrong: float
    temperature: float
    # held-out case examples recognised, and general questions wrongly taken for a case
    case_recall: float = 0.0
    case_lost: float = 0.0


@dataclass(frozen=True)
class TrainedModel:
    """The model, its limits and how it was measured."""

    model: QuestionModel
    case: CaseModel
    limits: Limits
    report: CrossValidation
    seconds: float
    # held-out examples the model gave to another label with high probability (for curators)
    confusions: tuple[Confusion, ...] = ()

    @property
    def calibration(self) -> Calibration:
        """The limits and temperature this model was trained with."""
        return Calibration(self.limits, self.model.temperature, self.report, self.model.fingerprint)


@dataclass(frozen=True)
class Calibration:
    """What cross-validation chose: kept in `knowledge/limits.json` beside the entries, so that a start
    (even the first on a new machine) only refits the model and `kb train` measures anew."""

    limits: Limits
    temperature: float
    report: CrossValidation
    fingerprint: str


@dataclass(frozen=True)
class Confusion:
    """An example that, held out, the model gave confidently to another entry or intent."""

    text: str
    label: str
    predicted: str
    probability: float


def case_model_file(path: Path) -> Path:
    """Where the case model is stored beside the question model (`question-model.case.npz`)."""
    return path.with_name(path.stem + ".case.npz")


def save_trained(trained: TrainedModel, path: Path) -> None:
    """Store the models with their limits and measurements, for the next start."""
    meta = {"limits": asdict(trained.limits), "report": asdict(trained.report), "seconds": trained.seconds}
    path.parent.mkdir(parents=True, exist_ok=True)
    trained.case.save(case_model_file(path))
    trained.model.save(path, meta=json.dumps(meta))


def load_trained(path: Path) -> TrainedModel | None:
    """The stored model, or None when there is none or it cannot be read."""
    if not path.exists():
        return None
    try:
        model, meta_text = QuestionModel.load(path)
        case = CaseModel.load(case_model_file(path))
        meta = json.loads(meta_text)
        return TrainedModel(
            model,
            case,
            Limits.from_dict(meta["limits"]),
            CrossValidation(**meta["report"]),
            float(meta["seconds"]),
        )
    except (ValueError, KeyError, TypeError) as exc:
        log.warning("stored question model ignored: %s", exc)
        return None


def calibration_file(knowledge_dir: Path) -> Path:
    """Where the calibration of a knowledge base lives: `limits.json` beside its entries folder."""
    return knowledge_dir.parent / "limits.json"


def save_calibration(trained: TrainedModel, path: Path) -> None:
    """Write the limits, temperature and measurements of a full training as JSON."""
    calibration = trained.calibration
    body = {
        "limits": asdict(calibration.limits),
        "temperature": calibration.temperature,
        "report": asdict(calibration.report),
        "fingerprint": calibration.fingerprint,
    }
    path.write_text(json.dumps(body, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def load_calibration(path: Path) -> Calibration | None:
    """The stored calibration, or None when the file is missing or unreadable."""
    try:
        body = json.loads(path.read_text(encoding="utf-8"))
        return Calibration(
            Limits.from_dict(body["limits"]),
            float(body["temperature"]),
            CrossValidation(**body["report"]),
            str(body["fingerprint"]),
        )
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        log.warning("calibration %s ignored: %s", path, exc)
        return None
