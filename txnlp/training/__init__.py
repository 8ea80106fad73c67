"""The model lifecycle: train, evaluate, gate against the champion, promote, and write model cards."""
