"""The directory's HTML pages: looking after accounts (``accounts``) and the phonebook (``people``)."""
