"""End to end over real loopback sockets, each feed type into tracks seen through
``/api/tracks``: an ASTERIX CAT048/CAT034 radar over UDP (unicast and multicast), and an
ADS-B receiver serving SBS-1 BaseStation over TCP (the feed connects to it, as to readsb)."""

from __future__ import annotations

import socket
import socketserver
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from dronewall.sensors.asterix import Plot048, encode_cat034, encode_cat048, north_marker
from tests.app.feeds_harness import GEOD, Target, free_port, serving, track_near, wait_for

RADAR = (54.35, 18.65, 30.0)  # near Gdańsk, 30 m antenna
SAC, SIC = 25, 10


def _tod(t: float) -> float:
    return t % 86_400.0


def _plot(target: Target, t: float) -> Plot048:
    lat, lon, alt = target.at(t)
    az, _, dist = GEOD.inv(RADAR[1], RADAR[0], lon, lat)
    slant = float((dist**2 + (alt - RADAR[2]) ** 2) ** 0.5)
    return Plot048(_tod(t), slant, float(az) % 360.0, height_m=alt, track_number=7)


@pytest.mark.parametrize("group", ["127.0.0.1", "239.255.42.99"])
def test_asterix_radar_over_udp_becomes_a_track(tmp_path: Path, group: str) -> None:
    port = free_port(socket.SOCK_DGRAM)
    url = (f"asterix+udp://{group}:{port}?name=radar-north&sac={SAC}&sic={SIC}"
           f"&lat={RADAR[0]}&lon={RADAR[1]}&alt={RADAR[2]}&nation=PL")  # fmt: skip
    target = Target(54.40, 18.60, 200.0, 120.0, 30.0, time.time())
    sender = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sender.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_LOOP, 1)
    last = [0.0]

    def tick() -> None:  # one scan a second: a north marker and the plot
        now = time.time()
        if now - last[0] >= 1.0:
            last[0] = now
            sender.sendto(encode_cat034([north_marker(_tod(now), 1.0)], SAC, SIC), (group, port))
            sender.sendto(encode_cat048([_plot(target, now)], SAC, SIC), (group, port))
            sender.sendto(b"\x30\x00\x05garbage", (group, port))  # LEN lies: rejected

    with serving([url], tmp_path) as (client, _):
        here = lambda p: track_near(p, *target.at(time.time())[:2], 500.0) is not None  # noqa: E731
        picture = wait_for(client, tick, here)
        assert picture["n"] == 1
        (radar,) = client.get("/api/sensors").json()["features"]
        props = radar["properties"]
        assert (props["key"], props["nation"], props["state"]) == ("25/10", "PL", "ok")
        feed = client.get("/api/feeds").json()[0]
        assert feed["reports"] >= 3 and sum(feed["rejects"].values()) >= 3
    sender.close()


class _Readsb(socketserver.ThreadingTCPServer):
    """A receiver serving SBS-1 lines to whoever connects (as readsb on port 30003)."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, target: Target):
        self.target = target
        self.stop = threading.Event()
        super().__init__(("127.0.0.1", 0), _SbsHandler)


class _SbsHandler(socketserver.BaseRequestHandler):
    def handle(self) -> None:
        server: _Readsb = self.server  # type: ignore[assignment]
        while not server.stop.is_set():
            now = time.time()
            lat, lon, alt = server.target.at(now)
            stamp = datetime.fromtimestamp(now, UTC)
            day, clock = stamp.strftime("%Y/%m/%d"), stamp.strftime("%H:%M:%S.%f")[:-3]
            lines = [
                f"MSG,1,1,1,48AE01,1,{day},{clock},{day},{clock},LOT3KW,,,,,,,,,,,0\r\n",
                f"MSG,3,1,1,48AE01,1,{day},{clock},{day},{clock},,{alt / 0.3048:.0f},,,"
                f"{lat:.5f},{lon:.5f},,,0,0,0,0\r\n",
                f"MSG,4,1,1,48AE01,1,{day},{clock},{day},{clock},,,{60 / 0.514444:.1f},"
                f"{server.target.course_deg:.1f},,,0,,,,,0\r\n",
                "MSG,3,broken line\r\n",
            ]
            try:
                self.request.sendall("".join(lines).encode())
            except OSError:
                return
            time.sleep(0.5)


def test_adsb_receiver_over_sbs_becomes_a_track_with_its_identity(tmp_path: Path) -> None:
    target = Target(54.50, 18.40, 3000.0, 45.0, 120.0, time.time())
    server = _Readsb(target)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_address[1]
    url = f"sbs://127.0.0.1:{port}?name=readsb-gdansk&lat=54.38&lon=18.47&nation=PL"
    try:
        with serving([url], tmp_path) as (client, _):
            here = lambda p: track_near(p, *target.at(time.time())[:2], 800.0) is not None  # noqa: E731
            picture = wait_for(client, lambda: None, here)
            i = track_near(picture, *target.at(time.time())[:2], 800.0)
            assert i is not None and picture["ident"][i] == "48AE01"
            detail = client.get(f"/api/tracks/{picture['id'][i]}").json()
            assert detail["cooperative"]["callsign"] == "LOT3KW"  # the callsign joins the track
            feed = client.get("/api/feeds").json()[0]
            assert feed["connection"] == "connected" and sum(feed["rejects"].values()) >= 1
    finally:
        server.stop.set()
        server.shutdown()
        server.server_close()


class _ModeS(socketserver.ThreadingTCPServer):
    """A receiver serving Mode S frames (Beast binary or AVR text) to whoever connects."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, target: Target, framing: str):
        self.target, self.framing = target, framing
        self.stop = threading.Event()
        super().__init__(("127.0.0.1", 0), _ModeSHandler)


class _ModeSHandler(socketserver.BaseRequestHandler):
    def handle(self) -> None:
        from tests.sensors.modes import encode as enc

        server: _ModeS = self.server  # type: ignore[assignment]
        address, odd, ticks = 0x48AE02, False, 0
        ident = enc.me_identification("A7", "DRONE1")  # A7: rotorcraft
        while not server.stop.is_set():
            lat, lon, alt = server.target.at(time.time())
            messages = [enc.me_airborne(lat, lon, odd, enc.ac12_q(round(alt / 0.3048 / 25) * 25)),
                        ident, enc.me_opstatus(2, 10)]  # fmt: skip
            chunk = b""
            for me in messages:
                ticks += 1_200_000  # 0.1 s of the 12 MHz counter
                frame = enc.extended_squitter(address, me)
                chunk += (enc.beast("3", frame, ticks, 0x80) if server.framing == "beast"
                          else enc.avr(frame, ticks))  # fmt: skip
            chunk += b"\x1a\x33garbage" if server.framing == "beast" else b"*ZZZZ;\n"
            odd = not odd
            try:
                self.request.sendall(chunk)
            except OSError:
                return
            time.sleep(0.5)


@pytest.mark.parametrize("framing", ["beast", "avr"])
def test_adsb_receiver_over_beast_and_avr_becomes_a_track(tmp_path: Path, framing: str) -> None:
    target = Target(54.45, 18.55, 900.0, 200.0, 70.0, time.time())
    server = _ModeS(target, framing)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_address[1]
    url = f"{framing}://127.0.0.1:{port}?name=rx-{framing}&lat=54.38&lon=18.47&alt=20"
    try:
        with serving([url], tmp_path) as (client, _):
            here = lambda p: track_near(p, *target.at(time.time())[:2], 800.0) is not None  # noqa: E731
            picture = wait_for(client, lambda: None, here)
            i = track_near(picture, *target.at(time.time())[:2], 800.0)
            assert i is not None and picture["ident"][i] == "48AE02"
            detail = client.get(f"/api/tracks/{picture['id'][i]}").json()
            assert detail["cooperative"]["callsign"] == "DRONE1"
            assert detail["cooperative"]["category"] == "A7"
            feed = client.get("/api/feeds").json()[0]
            assert feed["messages"] > 0 and sum(feed["rejects"].values()) >= 1, feed
    finally:
        server.stop.set()
        server.shutdown()
        server.server_close()


def test_remote_id_receiver_over_udp_becomes_a_track_with_the_serial(tmp_path: Path) -> None:
    from dronewall.sensors.remoteid import BasicId, Location
    from dronewall.sensors.remoteid.encode import encode_basic_id, encode_location, encode_pack

    port = free_port(socket.SOCK_DGRAM)
    url = f"remoteid+udp://127.0.0.1:{port}?name=rid-munich&lat=48.35&lon=11.78&nation=DE"
    target = Target(48.36, 11.80, 560.0, 270.0, 12.0, time.time())
    sender = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    last = [0.0]

    def tick() -> None:
        now = time.time()
        if now - last[0] < 0.5:
            return
        last[0] = now
        lat, lon, alt = target.at(now)
        location = Location(status=2, direction_deg=270.0, speed_mps=12.0, lat_deg=lat,
                            lon_deg=lon, geodetic_alt_m=alt, horizontal_accuracy=10,
                            vertical_accuracy=4, timestamp_s=now % 3600.0)  # fmt: skip
        pack = encode_pack([encode_basic_id(BasicId(1, 2, "1581F5FJD239C00DW22E")),
                            encode_location(location)])  # fmt: skip
        sender.sendto(pack, ("127.0.0.1", port))
        sender.sendto(b"\x0f\x19\x09" + bytes(20), ("127.0.0.1", port))  # a bad pack

    with serving([url], tmp_path) as (client, _):
        here = lambda p: track_near(p, *target.at(time.time())[:2], 300.0) is not None  # noqa: E731
        picture = wait_for(client, tick, here)
        i = track_near(picture, *target.at(time.time())[:2], 300.0)
        assert i is not None and picture["ident"][i].startswith("1581F5FJD239C00D")
        assert picture["cls"][i] == "DRONE"
        feed = client.get("/api/feeds").json()[0]
        assert sum(feed["rejects"].values()) >= 1
    sender.close()
