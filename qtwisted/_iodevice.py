# -*- test-case-name: tests.test_tcpsocket -*-
"""
C{QIODevice}: Qt's reading and writing API, the part of a socket that is
not about the network.

Theory of operation
===================

Qt layers C{QAbstractSocket} on C{QIODevice}, and so do we:
L{QIODevice} holds the open mode, the read buffer and the reading API
(C{read}, C{readAll}, C{readLine}, C{peek}, C{skip}, ...), the argument and
open-mode checks of C{write()}, Qt's warnings for misuse, and the four
C{QIODevice} signals.  L{qtwisted.QAbstractSocket} adds the network: it
fills the buffer from its transport, sends what L{QIODevice.write} accepts
(L{QIODevice._writeData}, Qt's C{writeData()}), and emits the signals.  The
class is not exported: Qt users never construct a bare C{QIODevice}, and
qtwisted has no other devices yet.

The read buffer is a C{bytearray}: CPython deletes from its front in
constant time, so C{read(n)} is a slice and a C{del}.  A subclass that
stops filling it when it is full (C{QAbstractSocket.setReadBufferSize})
sets C{_readPaused}; the methods that remove data then call
L{QIODevice._maybeResumeReading}, and only then, so a device that never
pauses pays one attribute test per read.

These methods are the hot path of every socket (a C{readyRead} slot calls
C{readAll()}, an echo then C{write()}): they read attributes directly and
make no calls beyond the one C{_writeData} per write.

Misuse that Qt answers with a warning on the console (reading a device
that is not open, writing a read-only one) logs Qt's text through
C{twisted.logger}, in the C{qtwisted.socket} namespace, and returns what
Qt returns; a wrong argument type or a negative size raises, as the
project's error style says.
"""

from __future__ import annotations

from typing import Any

from twisted.logger import Logger

from ._enums import OpenModeFlag, QIODeviceBase
from ._object import QObjectBase
from ._signal import Signal, WatchedSignal

__all__ = ["QIODevice"]

# The socket's namespace: today every device is a socket, and users filter
# the socket's warnings by it.
_log = Logger(namespace="qtwisted.socket")

_Bytes = bytes | bytearray | memoryview


class QIODevice(QObjectBase, QIODeviceBase):
    """
    The buffered, sequential part of Qt's C{QIODevice}; the base of
    L{qtwisted.QAbstractSocket}.

    Subclasses append incoming bytes to C{_rbuf} and emit L{readyRead},
    implement L{_writeData}, and set C{_openMode}.
    """

    readyRead: Signal[()] = Signal()
    """Emitted when new data is available for reading (C{QIODevice::readyRead})."""
    bytesWritten: Signal[int] = WatchedSignal()
    """Emitted with the number of bytes handed to the OS (C{QIODevice::bytesWritten})."""
    readChannelFinished: Signal[()] = Signal()
    """Emitted when the read channel has closed (C{QIODevice::readChannelFinished})."""
    aboutToClose: Signal[()] = Signal()
    """Emitted when L{close} is called, before closing (C{QIODevice::aboutToClose})."""

    def __init__(self, parent: QObjectBase | None = None, reactor: Any = None) -> None:
        """
        @param parent: the owning object, if any.
        @param reactor: the reactor to use; the global one by default.
        """
        super().__init__(parent, reactor)
        # Whether bytesWritten was ever looked at (see _signalBound).
        self._bytesWrittenBound = False
        self._openModeValue = OpenModeFlag.NotOpen
        self._readable = False
        self._writable = False
        self._rbuf = bytearray()
        self._readPaused = False

    # -- open mode -------------------------------------------------------

    # The mode is kept twice: as Qt's flag, and as two booleans that the
    # read and write paths test.  On CPython 3.11 an IntFlag "&" costs three
    # calls inside the enum module, about a microsecond per read() or
    # write() (measured with bench/tcp_echo.py's profile): too much for a
    # per-chunk check.
    @property
    def _openMode(self) -> OpenModeFlag:
        return self._openModeValue

    @_openMode.setter
    def _openMode(self, mode: OpenModeFlag) -> None:
        self._openModeValue = mode
        self._readable = bool(mode & OpenModeFlag.ReadOnly)
        self._writable = bool(mode & OpenModeFlag.WriteOnly)

    def openMode(self) -> OpenModeFlag:
        """
        The open mode; mirrors C{QIODevice::openMode}.
        """
        return self._openMode

    def isOpen(self) -> bool:
        """
        Mirrors C{QIODevice::isOpen}.
        """
        return self._openMode != OpenModeFlag.NotOpen

    def isReadable(self) -> bool:
        """
        Mirrors C{QIODevice::isReadable}.
        """
        return self._readable

    def isWritable(self) -> bool:
        """
        Mirrors C{QIODevice::isWritable}.
        """
        return self._writable

    def isSequential(self) -> bool:
        """
        Always C{True}: a socket is a sequential device.
        """
        return True

    def close(self) -> None:
        """
        Mirrors C{QIODevice::close}: emit L{aboutToClose} if the device is
        open, then close it and discard unread data.  Subclasses extend it.
        """
        if self._openMode != OpenModeFlag.NotOpen:
            self.aboutToClose.emit()
        self._openMode = OpenModeFlag.NotOpen
        self._rbuf.clear()

    # -- reading ---------------------------------------------------------

    def bytesAvailable(self) -> int:
        """
        The number of bytes waiting to be read; mirrors C{bytesAvailable}.
        """
        return len(self._rbuf)

    def atEnd(self) -> bool:
        """
        C{True} when no data is waiting to be read; mirrors C{QIODevice::atEnd}.
        """
        return not self._rbuf

    def canReadLine(self) -> bool:
        """
        C{True} when a complete line (ending in C{\\n}) can be read.
        """
        return b"\n" in self._rbuf

    def read(self, maxSize: int) -> bytes:
        """
        Read and remove at most C{maxSize} bytes; mirrors C{QIODevice::read}.

        @return: the bytes, possibly empty (also on a device that is not
            open, where Qt warns and returns an empty C{QByteArray}).
        @raise ValueError: for a negative C{maxSize} (Qt warns "Called with
            maxSize < 0" and returns nothing).
        """
        if maxSize < 0:
            raise ValueError(f"maxSize must not be negative, not {maxSize!r}")
        if not self._readable:
            self._warnNotReadable("read")
            return b""
        buf = self._rbuf
        if maxSize >= len(buf):
            data = bytes(buf)
            buf.clear()
        else:
            data = bytes(buf[:maxSize])
            del buf[:maxSize]
        if self._readPaused:
            self._maybeResumeReading()
        return data

    def readAll(self) -> bytes:
        """
        Read and remove everything buffered; mirrors C{QIODevice::readAll}.
        """
        if not self._readable:
            self._warnNotReadable("read")
            return b""
        data = bytes(self._rbuf)
        self._rbuf.clear()
        if self._readPaused:
            self._maybeResumeReading()
        return data

    def readLine(self, maxSize: int = 0) -> bytes:
        """
        Read one line, with its C{\\n}; mirrors C{QIODevice::readLine}.

        Reads up to and including the first newline, or at most C{maxSize - 1}
        bytes when C{maxSize} > 0 (Qt reserves one byte for the terminating
        NUL of its C buffer); with C{maxSize} 0 the line length is unlimited.
        Without a newline, whatever is buffered is returned.  C{maxSize} 1
        reads nothing and warns, as in Qt.

        @raise ValueError: for a negative C{maxSize} (Qt warns "Called with
            maxSize < 2" and returns nothing).
        """
        if maxSize < 0:
            raise ValueError(f"maxSize must not be negative, not {maxSize!r}")
        if maxSize == 1:
            self._warn("readLineInto", "Called with maxSize < 2")
            return b""
        if not self._readable:
            self._warnNotReadable("readLineInto")
            return b""
        buf = self._rbuf
        end = buf.find(b"\n")
        n = len(buf) if end < 0 else end + 1
        if maxSize > 0:
            n = min(n, maxSize - 1)
        return self.read(n)

    def peek(self, maxSize: int) -> bytes:
        """
        Return at most C{maxSize} buffered bytes without removing them;
        mirrors C{QIODevice::peek}.

        @raise ValueError: for a negative C{maxSize}.
        """
        if maxSize < 0:
            raise ValueError(f"maxSize must not be negative, not {maxSize!r}")
        if not self._readable:
            self._warnNotReadable("peek")
            return b""
        return bytes(self._rbuf[:maxSize])

    def skip(self, maxSize: int) -> int:
        """
        Discard at most C{maxSize} buffered bytes; mirrors C{QIODevice::skip}.

        @return: how many were discarded, or -1 (with Qt's warning) on a
            device that is not open.
        @raise ValueError: for a negative C{maxSize}.
        """
        if maxSize < 0:
            raise ValueError(f"maxSize must not be negative, not {maxSize!r}")
        if not self._readable:
            self._warnNotReadable("skip")
            return -1
        buf = self._rbuf
        n = min(maxSize, len(buf))
        del buf[:n]
        if self._readPaused:
            self._maybeResumeReading()
        return n

    def _signalBound(self, name: str) -> None:
        """
        A L{WatchedSignal} of this device was read for the first time
        (C{bytesWritten}): subclasses start counting written bytes.
        """

    def _maybeResumeReading(self) -> None:
        """
        Data was removed from a buffer whose subclass set C{_readPaused}:
        resume filling it if there is room now.  Subclasses that pause
        implement it.
        """

    # -- writing ---------------------------------------------------------

    def write(self, data: _Bytes) -> int:
        """
        Queue C{data} for sending; mirrors C{QIODevice::write}.

        @return: the number of bytes queued, or -1 if the socket is not open
            for writing (Qt warns "device not open") or no longer connected
            (L{error<qtwisted.QAbstractSocket.error>} is then
            C{UnknownSocketError} and
            L{errorString<qtwisted.QAbstractSocket.errorString>} "Socket is
            not connected", as in Qt).
        @raise TypeError: for a C{str} or other non-bytes value.
        """
        if type(data) is bytes and self._writable:
            return self._writeData(data)  # the common case, kept flat
        if not isinstance(data, (bytes, bytearray, memoryview)):
            raise TypeError(
                f"write() takes bytes, not {type(data).__name__}"
                + (" (encode the str first)" if isinstance(data, str) else "")
            )
        if not self._writable:
            self._warn(
                "write",
                "device not open"
                if self._openMode == OpenModeFlag.NotOpen
                else "ReadOnly device",
            )
            return -1
        return self._writeData(data if type(data) is bytes else bytes(data))

    def _writeData(self, chunk: bytes) -> int:
        """
        Qt's C{writeData()}: send or queue C{chunk} for a device open for
        writing, which L{write} has checked.

        @return: C{len(chunk)}, or -1 with the error set.
        """
        raise NotImplementedError(f"{type(self).__name__} cannot write")

    # -- Qt's warnings ---------------------------------------------------

    def _warn(self, function: str, what: str) -> None:
        # Qt's checkWarnMessage(): "QIODevice::<function> (<ClassName>): <what>".
        _log.warn(
            "QIODevice::{function} ({cls}): {what}",
            function=function,
            cls=type(self).__name__,
            what=what,
        )

    def _warnNotReadable(self, function: str) -> None:
        if self._openMode == OpenModeFlag.NotOpen:
            self._warn(function, "device not open")
        else:
            self._warn(function, "WriteOnly device")
