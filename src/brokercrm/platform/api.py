from ninja import Router

router = Router(tags=["platform"])
