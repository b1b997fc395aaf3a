"""The paging parameters every API list shares: bounded, so an absurd value is a 400 naming the field, never a 500."""
from ninja import Field, Schema

MAX_LIMIT = 200
# Far past any real list, and within every database's integer type (an OFFSET of 2^63 overflows them).
MAX_OFFSET = 2**31 - 1


class Paging(Schema):
    limit: int = Field(50, ge=1, le=MAX_LIMIT)
    offset: int = Field(0, ge=0, le=MAX_OFFSET)
