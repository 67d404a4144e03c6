"""The Great Expectations suites (JSON), shipped as package data: schema_<table>.json are generated from
schemas/ (python -m schemas.generate); the others are the hand-written cross-table and document rules."""
