"""
B30 with a real C{EMFILE}: a L{qtwisted.QTcpServer} in a child process runs
out of file descriptors (C{RLIMIT_NOFILE} lowered, the rest filled), so
C{accept()} fails for real; the child reports as JSON.  The child is
C{tests/_emfile_child.py}.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

from twisted.trial.unittest import SkipTest, SynchronousTestCase

import qtwisted
from qtwisted import QAbstractSocket

SocketError = QAbstractSocket.SocketError

CHILD = os.path.join(os.path.dirname(os.path.abspath(__file__)), "_emfile_child.py")
CLIENTS = 3
# How long the descriptor table stays full, in seconds of real time: long
# enough for several back-off retries (50, 100, 200 ms).
EPISODE = 0.6


_reports: list[dict[str, Any]] = []


def runChild() -> dict[str, Any]:
    """
    Run the child once per test run and return its JSON report.
    """
    if _reports:
        return _reports[0]
    if not os.path.isdir("/proc/self/fd"):
        raise SkipTest("needs /proc/self/fd to count descriptors")
    root = os.path.dirname(os.path.dirname(os.path.abspath(qtwisted.__file__)))
    env = dict(os.environ, PYTHONPATH=root)
    done = subprocess.run(
        [sys.executable, CHILD, str(CLIENTS), str(EPISODE)],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )
    if done.returncode != 0 or not done.stdout.strip():
        raise AssertionError(
            f"child failed with {done.returncode}:\n{done.stdout}\n{done.stderr}"
        )
    report: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    if "fatal" in report:
        raise AssertionError(report["fatal"])
    if done.stderr.strip():
        raise AssertionError(f"the child logged errors:\n{done.stderr}")
    _reports.append(report)
    return report


class DescriptorExhaustionTests(SynchronousTestCase):
    """
    B30 (qtwisted's rule): out of descriptors, acceptError once, no busy
    loop, automatic recovery.
    """

    def setUp(self) -> None:
        # One child serves every test of this class (trial has no
        # setUpClass); it takes about a second.
        self.report = runChild()

    def test_exhausted(self) -> None:
        """
        The child really exhausted its descriptor table before the clients
        connected (precondition of the other tests).
        """
        self.assertGreater(self.report["fillers"], 0)
        self.assertEqual(self.report["reason"], "recovered", self.report)

    def test_acceptErrorOnce(self) -> None:
        """
        B30: accept() failing with EMFILE emits acceptError exactly once,
        with SocketResourceError and errorString "Out of resources", while
        the server stays listening.
        """
        errors = self.report["errors"]
        self.assertEqual(len(errors), 1, errors)
        code, text, listening, _ = errors[0]
        self.assertEqual(code, int(SocketError.SocketResourceError))
        self.assertEqual(text, "Out of resources")
        self.assertTrue(listening)
        episode = self.report["episode"]
        self.assertEqual((episode["acceptErrors"], episode["accepted"]), (1, 0))
        self.assertTrue(episode["listening"])

    def test_noBusyLoop(self) -> None:
        """
        B30: while descriptors are exhausted the server retries with a
        back-off (a few accept loop runs in 0.6 s, not thousands) and uses
        little CPU.
        """
        episode = self.report["episode"]
        self.assertGreaterEqual(episode["doReads"], 2, episode)  # it did retry
        self.assertLessEqual(episode["doReads"], 12, episode)
        self.assertLess(episode["cpuSeconds"], 0.5 * episode["wallSeconds"], episode)

    def test_recoversByItself(self) -> None:
        """
        B30: once descriptors are free again the waiting clients are all
        accepted without resumeAccepting(), within the back-off ceiling
        (1 s), and the server is still listening; the error stays set.
        """
        self.assertEqual(self.report["accepted"], CLIENTS, self.report)
        self.assertLess(self.report["recoverySeconds"], 1.5, self.report)
        self.assertTrue(self.report["listeningAtEnd"])
        self.assertEqual(self.report["serverError"], int(SocketError.SocketResourceError))
        self.assertEqual(self.report["errorString"], "Out of resources")
