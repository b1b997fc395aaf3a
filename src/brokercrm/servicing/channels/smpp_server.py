"""A minimal SMPP 3.4 SMSC over asyncio (bind, submit_sm, deliver_sm receipts, enquire_link, unbind).

It stands in for the operator's SMS gateway in tests and in the demo: every accepted message is kept
in `received` and answered with a delivery receipt (stat:DELIVRD), or stat:UNDELIV for numbers in `undeliverable`.
"""
import asyncio
import itertools
import struct
import threading
from dataclasses import dataclass, field

BIND_TRANSMITTER, BIND_RECEIVER, BIND_TRANSCEIVER = 0x00000002, 0x00000001, 0x00000009
SUBMIT_SM, DELIVER_SM, UNBIND, ENQUIRE_LINK = 0x00000004, 0x00000005, 0x00000006, 0x00000015
GENERIC_NACK, RESP = 0x80000000, 0x80000000


def _cstring(body: bytes, at: int) -> tuple[str, int]:
    end = body.index(b"\x00", at)
    return body[at:end].decode("latin-1"), end + 1


def _pdu(command_id: int, sequence: int, body: bytes = b"", status: int = 0) -> bytes:
    return struct.pack(">IIII", 16 + len(body), command_id, status, sequence) + body


@dataclass
class ReceivedSms:
    message_id: str
    source: str
    destination: str
    text: str


@dataclass
class SmppServer:
    host: str = "127.0.0.1"
    port: int = 0
    undeliverable: set[str] = field(default_factory=set)
    received: list[ReceivedSms] = field(default_factory=list)

    def __post_init__(self):
        self._ids = itertools.count(1)
        self._seq = itertools.count(1)
        self._parts: dict[tuple[str, int], dict[int, bytes]] = {}

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                header = await reader.readexactly(16)
                length, command, _status, sequence = struct.unpack(">IIII", header)
                body = await reader.readexactly(length - 16)
                if command in (BIND_TRANSMITTER, BIND_RECEIVER, BIND_TRANSCEIVER):
                    writer.write(_pdu(command | RESP, sequence, b"brokercrm-smsc\x00"))
                elif command == SUBMIT_SM:
                    message_id = f"M{next(self._ids):08d}"
                    writer.write(_pdu(SUBMIT_SM | RESP, sequence, message_id.encode() + b"\x00"))
                    receipt = self._accept(message_id, body)
                    if receipt is not None:
                        writer.write(receipt)
                elif command == ENQUIRE_LINK:
                    writer.write(_pdu(ENQUIRE_LINK | RESP, sequence))
                elif command == UNBIND:
                    writer.write(_pdu(UNBIND | RESP, sequence))
                    await writer.drain()
                    break
                elif command & RESP:
                    pass  # deliver_sm_resp and the like
                else:
                    writer.write(_pdu(GENERIC_NACK, sequence, status=0x00000003))
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    def _accept(self, message_id: str, body: bytes) -> bytes | None:
        _service, at = _cstring(body, 0)
        at += 2
        source, at = _cstring(body, at)
        at += 2
        destination, at = _cstring(body, at)
        esm_class = body[at]
        at += 3
        _schedule, at = _cstring(body, at)
        _validity, at = _cstring(body, at)
        registered, data_coding, length = body[at], body[at + 2], body[at + 4]
        payload = body[at + 5: at + 5 + length]
        if esm_class & 0x40:  # user data header: concatenated parts
            udh = payload[: payload[0] + 1]
            ref, total, number = udh[3], udh[4], udh[5]
            parts = self._parts.setdefault((destination, ref), {})
            parts[number] = payload[len(udh):]
            if len(parts) < total:
                return None
            payload = b"".join(parts[i] for i in sorted(parts))
            del self._parts[(destination, ref)]
        text = payload.decode("utf-16-be") if data_coding == 0x08 else payload.decode("latin-1")
        self.received.append(ReceivedSms(message_id, source, destination, text))
        if not registered & 0x01:
            return None
        stat = "UNDELIV" if destination in self.undeliverable else "DELIVRD"
        receipt = f"id:{message_id} sub:001 dlvrd:001 submit date:2601010000 done date:2601010000 stat:{stat} err:000 text:".encode()
        body = (b"\x00" + b"\x01\x01" + destination.encode() + b"\x00" + b"\x05\x00" + source.encode() + b"\x00"
                + bytes([0x04, 0, 0]) + b"\x00\x00" + bytes([0, 0, 0, 0, len(receipt)]) + receipt)
        return _pdu(DELIVER_SM, next(self._seq), body)

    def start(self) -> "SmppServer":
        """Serve in a background thread; `port` is the bound port afterwards."""
        ready = threading.Event()

        def run() -> None:
            self._loop = asyncio.new_event_loop()
            server = self._loop.run_until_complete(asyncio.start_server(self._handle, self.host, self.port))
            self.port = server.sockets[0].getsockname()[1]
            self._server = server
            ready.set()
            self._loop.run_forever()
            server.close()
            self._loop.run_until_complete(server.wait_closed())
            self._loop.close()

        self._thread = threading.Thread(target=run, daemon=True)
        self._thread.start()
        ready.wait(5)
        return self

    def stop(self) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)
