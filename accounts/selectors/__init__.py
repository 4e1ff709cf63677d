"""Every read of the accounts app that more than one caller needs: querysets and answers, no writes."""
