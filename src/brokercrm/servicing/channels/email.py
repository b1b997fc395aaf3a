"""E-mail through SMTP: text and HTML alternatives, attachments, a Message-ID derived from the outbox key."""
import hashlib
import smtplib
from email.message import EmailMessage
from email.utils import formatdate


class SmtpSender:
    def __init__(self, config, *, timeout: float = 10):
        self.config, self.timeout = config, timeout
        self.smtp: smtplib.SMTP | None = None

    def __enter__(self) -> "SmtpSender":
        self.smtp = smtplib.SMTP(self.config.host, self.config.port, timeout=self.timeout)
        if self.config.username:
            self.smtp.login(self.config.username, self.config.password)
        return self

    def __exit__(self, *exc) -> None:
        try:
            self.smtp.quit()
        except (smtplib.SMTPException, OSError):
            self.smtp.close()

    def build(self, message) -> EmailMessage:
        mail = EmailMessage()
        mail["From"] = self.config.sender
        mail["To"] = message.recipient
        mail["Subject"] = message.subject
        mail["Date"] = formatdate(localtime=True)
        # The same outbox message always carries the same Message-ID, so a receiver can drop a repeat.
        mail["Message-ID"] = f"<{hashlib.sha256(message.dedupe_key.encode()).hexdigest()[:32]}@brokercrm>"
        mail.set_content(message.body_text)
        if message.body_html:
            mail.add_alternative(message.body_html, subtype="html")
        for attachment in message.attachments.all():
            maintype, _, subtype = attachment.content_type.partition("/")
            mail.add_attachment(bytes(attachment.content), maintype=maintype, subtype=subtype or "octet-stream",
                                filename=attachment.file_name)
        return mail

    def send(self, message) -> str:
        mail = self.build(message)
        self.smtp.send_message(mail)
        return mail["Message-ID"]

    def receipts(self, expected: set[str]) -> dict[str, str]:
        return {}
