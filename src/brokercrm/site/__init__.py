"""The top of the house: what wires the apps together (the demo brokerage, the load's job graph).

It may import every app's facade and nothing imports it; apps below reach the job graph only through
`settings.BROKERCRM_JOB_GRAPH` (see core/jobgraph.py).
"""
