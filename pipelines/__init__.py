"""Prefect flows: thin wrappers over txnlp's library functions."""
