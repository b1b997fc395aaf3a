"""The products' step of the load graph: the shelf synced from the delivered securities, conversions updated."""
from brokercrm.datacenter.facade import securities_with_risk
from brokercrm.products.services import product_sync, recommendation_conversions_refresh


def products_step(load) -> dict:
    """After publish: new and changed securities with a risk level onto the shelf; recommendations bought since."""
    result = product_sync(securities=securities_with_risk(load.con))
    converted = recommendation_conversions_refresh()
    return {"products.created": result.created, "products.updated": result.updated, "recommendations.converted": converted}
