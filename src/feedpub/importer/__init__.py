"""`feedpub import`: old feeds → articles appended to the catalogue.

Each source (a feed's file or URL, or a WordPress export) is read with its older pages
(`history`, `fetch`, `documents` and a reader per format) into pages of old entries (`old`).
"""
