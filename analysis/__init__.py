"""District health performance analysis for Indonesia's PIP workshops.

The package follows the flow of data: sources (manifest, fetch) -> regions (district registry) ->
readers (raw tables to the tidy contract) -> validate (schema, quarantine) -> consistency
(cross-source checks) -> panel (processed outputs, data version).
"""

__version__ = "0.1.0"
