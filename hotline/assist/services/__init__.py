"""Writes of the assist app: training and activating models, the catalogue, suggestion outcomes, hotspots."""

from hotline.assist.services.hotspots import hotspots_current, hotspots_detect, hotspots_period
from hotline.assist.services.suggestions import suggestion_record, ticket_dispatch_suggested
from hotline.assist.services.training import (
    HOLDOUT_FRACTION,
    MODEL_PREFIX,
    TRAINING_STATUSES,
    TrainingError,
    TrainResult,
    dispatch_model_activate,
    dispatch_model_retrain_due,
    dispatch_model_train,
    models_dir,
    ticket_text,
    training_rows,
)

__all__ = [
    "HOLDOUT_FRACTION",
    "MODEL_PREFIX",
    "TRAINING_STATUSES",
    "TrainResult",
    "TrainingError",
    "dispatch_model_activate",
    "dispatch_model_retrain_due",
    "dispatch_model_train",
    "hotspots_current",
    "hotspots_detect",
    "hotspots_period",
    "models_dir",
    "suggestion_record",
    "ticket_dispatch_suggested",
    "ticket_text",
    "training_rows",
]
