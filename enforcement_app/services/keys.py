"""Where the device keeps its keys (re-exported for the client and the command line, which may not import the
store): set ``keystore.passphrase_prompt`` to ask the user for the key file's passphrase."""

from ..store import keystore

__all__ = ["keystore"]
