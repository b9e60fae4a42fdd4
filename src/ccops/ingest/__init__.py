"""Ingest: the one path by which facts enter the store, and the importers of real formats."""

from ccops.ingest.pipeline import Ingestor, IngestSummary, ingest_jsonl

__all__ = ["IngestSummary", "Ingestor", "ingest_jsonl"]
