"""Turning a capture and its record into rows: the capture and articles rows, versions, gone
marks, and bulk writing (``store_many``)."""
