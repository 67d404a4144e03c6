"""The contract's table names, in contract order, without the rest of the contract (schemas.tables, which
imports pyarrow): what a build checks its output folder against before it reads a page
(`pipeline.stages.builddir.check_out`), so that its page-reading workers start without pyarrow and the
check waits for no import. schemas.tables asserts that its TABLES are these."""

TABLE_NAMES = ("projects", "project_municipalities", "responsibilities", "budgets", "indicators", "kpis",
               "footnotes", "overview", "cells")
