"""The PUE's pages, by who uses them: the Comune's people (``comune``: home, operators, activity; ``prenotazioni``:
Gestione sportelli), INPS's sportelli (``sportello``: the operator's day), both (``incontri``: the web meeting and
its calendar file), the Referenti (``monitoraggio``)."""
