"""Free loopback ports for the voice tests' daemons and peers."""

from __future__ import annotations

import socket


def free_port() -> int:
    """A port free for both UDP and TCP on 127.0.0.1 (SIP daemons bind both)."""
    while True:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
            udp.bind(("127.0.0.1", 0))
            port: int = udp.getsockname()[1]
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as tcp:
                try:
                    tcp.bind(("127.0.0.1", port))
                except OSError:
                    continue
                return port


def free_media_port() -> int:
    """A port for sipp's media (``-mp``): sipp binds it and the ports after it (RTCP,
    video), so all four must be free, or sipp ends at once with code 254."""
    return free_range(4)[0]


def free_range(size: int) -> tuple[int, int]:
    """``size`` consecutive UDP ports that are free now (for an RTP range)."""
    while True:
        first = free_port()
        if first + size > 65000:
            continue
        ports = range(first, first + size)
        sockets: list[socket.socket] = []
        try:
            for port in ports:
                probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                sockets.append(probe)
                probe.bind(("127.0.0.1", port))
        except OSError:
            continue
        finally:
            for probe in sockets:
                probe.close()
        return first, first + size - 1
