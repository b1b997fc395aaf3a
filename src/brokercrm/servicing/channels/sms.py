"""SMS through an SMSC over SMPP 3.4 (smpplib client): submit_sm with delivery receipts requested."""
import re
import select
import time

import smpplib.client
import smpplib.consts
import smpplib.gsm

RECEIPT = re.compile(r"id:(?P<id>\S+).*?stat:(?P<stat>\w+)", re.S)


class SmppSender:
    def __init__(self, config, *, timeout: float = 5, receipt_wait: float = 2.0):
        self.config, self.timeout, self.receipt_wait = config, timeout, receipt_wait
        self._ids: dict[int, str] = {}
        self._receipts: dict[str, str] = {}

    def __enter__(self) -> "SmppSender":
        self.client = smpplib.client.Client(self.config.host, self.config.port, timeout=self.timeout, allow_unknown_opt_params=True)
        self.client.set_message_sent_handler(lambda pdu: self._ids.__setitem__(pdu.sequence, pdu.message_id.decode()))
        self.client.set_message_received_handler(self._received)
        self.client.connect()
        self.client.bind_transceiver(system_id=self.config.username or "brokercrm", password=self.config.password or "")
        return self

    def __exit__(self, *exc) -> None:
        try:
            self.client.unbind()
        except Exception:  # noqa: BLE001  (the SMSC may already have closed the session)
            pass
        self.client.disconnect()

    def _received(self, pdu) -> None:
        text = pdu.short_message.decode("latin-1") if isinstance(pdu.short_message, bytes) else str(pdu.short_message)
        match = RECEIPT.search(text)
        if match:
            self._receipts[match.group("id")] = match.group("stat")

    def send(self, message) -> str:
        """Submit every part and wait for the SMSC's answer; the first part's message_id identifies the message."""
        parts, encoding, esm_class = smpplib.gsm.make_parts(message.body_text)
        first_id = ""
        for part in parts:
            pdu = self.client.send_message(
                source_addr_ton=smpplib.consts.SMPP_TON_ALNUM, source_addr_npi=smpplib.consts.SMPP_NPI_UNK,
                source_addr=self.config.sender[:11], dest_addr_ton=smpplib.consts.SMPP_TON_INTL,
                dest_addr_npi=smpplib.consts.SMPP_NPI_ISDN, destination_addr=message.recipient, short_message=part,
                data_coding=encoding, esm_class=esm_class, registered_delivery=True)
            while pdu.sequence not in self._ids:
                self.client.read_once()
            first_id = first_id or self._ids[pdu.sequence]
        return first_id

    def receipts(self, expected: set[str]) -> dict[str, str]:
        """Delivery receipts ({message_id: stat}) for the expected ids, waiting at most `receipt_wait` seconds."""
        deadline = time.monotonic() + self.receipt_wait
        while set(expected) - set(self._receipts):
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            readable, _, _ = select.select([self.client._socket], [], [], remaining)
            if readable:
                self.client.read_once(auto_send_enquire_link=False)
        return dict(self._receipts)
