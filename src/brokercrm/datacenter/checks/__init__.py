"""Delivery checks shared by `brokercrm validate` and the ODS ingest: one SQL implementation of
every rule of source-interface.md, run on DuckDB over the delivered files, with the context
(earlier days) coming from earlier day folders or from the warehouse."""
