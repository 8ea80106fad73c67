"""Classifiers that read the shared embeddings: sentiment and TX pillar."""
from txnlp.classify.pillar import LinearPillarClassifier, PillarTagger, PrototypePillarClassifier, read_definitions
from txnlp.classify.sentiment import LinearSentimentClassifier, SentimentTagger

__all__ = ["LinearPillarClassifier", "LinearSentimentClassifier", "PillarTagger", "PrototypePillarClassifier", "SentimentTagger",
           "read_definitions"]
