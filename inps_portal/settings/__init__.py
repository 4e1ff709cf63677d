"""Settings of the portal, one module per runtime: ``local`` (embedded default), ``test``, ``production``.

Every value that differs between machines comes from the environment through :mod:`environ`; ``base`` holds what
all runtimes share.
"""
