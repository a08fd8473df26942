"""Document storage: the uploaded files of tenders and bids, content-addressed by SHA-256.

`FileStore` is the one interface the domains use; `FolderStore` keeps the files in a
folder (MARKET_FILES_DIR), and object storage can take its place behind the same
interface. The domains keep their own rows naming each document's key and hash.
"""

from market.files.folder import FolderStore
from market.files.store import Content, FileStore, Readable, StoredFile

__all__ = ["Content", "FileStore", "FolderStore", "Readable", "StoredFile"]
