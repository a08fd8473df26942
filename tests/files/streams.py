"""Uploads as they arrive: in chunks, counting what the store takes of them."""

from __future__ import annotations

import asyncio


class Upload:
    """`data` handed out at most `chunk` bytes per read (pausing between reads, so that
    concurrent uploads interleave); `taken` counts the bytes read."""

    def __init__(self, data: bytes, chunk: int = 4096) -> None:
        self.data = data
        self.chunk = chunk
        self.taken = 0

    async def read(self, size: int = -1) -> bytes:
        await asyncio.sleep(0)
        wanted = self.chunk if size < 0 else min(size, self.chunk)
        piece = self.data[self.taken : self.taken + wanted]
        self.taken += len(piece)
        return piece


class Endless(Upload):
    """An upload that never ends: text, as much as is asked for."""

    def __init__(self, chunk: int = 1 << 20) -> None:
        super().__init__(b"", chunk)

    async def read(self, size: int = -1) -> bytes:
        wanted = self.chunk if size < 0 else size
        self.taken += wanted
        return b"a" * wanted


class Stalled(Upload):
    """Leading bytes, then waiting forever for the rest (`stalled` set from then on)."""

    def __init__(self, data: bytes, chunk: int = 4096) -> None:
        super().__init__(data, chunk)
        self.stalled = asyncio.Event()

    async def read(self, size: int = -1) -> bytes:
        if self.taken >= len(self.data):
            self.stalled.set()
            await asyncio.Event().wait()
        return await super().read(size)
