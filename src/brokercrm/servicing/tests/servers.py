"""Real local servers for the channel tests: aiosmtpd for SMTP, the app's own SMPP SMSC."""
import socket
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller

from brokercrm.servicing.channels.smpp_server import SmppServer


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Mailbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"


@pytest.fixture
def smtp_server():
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    mailbox.port = controller.port
    yield mailbox
    controller.stop()


@pytest.fixture
def smpp_server():
    server = SmppServer().start()
    yield server
    server.stop()
