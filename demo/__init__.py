"""The demonstration of the portal: people, Enti and requests of every app, for ``make run`` (DEBUG only).

It sits above every app (it reads and writes through their services), so that no app depends on another for its
demo.
"""
