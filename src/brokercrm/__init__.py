"""brokercrm: the customer service platform (客户服务平台) of a securities brokerage."""
