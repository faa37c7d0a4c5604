"""newswatch_client: a Python client for newswatchd (see client/python/README.md).

    from newswatch_client import Client
    with Client("127.0.0.1:7373") as nw:
        nw.create_rule("energy", "crude AND (OPEC OR Saudi)")
        nw.submit("OPEC talks", "Saudi crude output ...", id="a-1")
        for alert in nw.subscribe("energy", after=0):
            print(alert.cursor, alert.title.decode(), list(alert.rule_ids))
"""

from newswatch_client.client import DEFAULT_SERVER, Client, Subscription

__all__ = ["Client", "Subscription", "DEFAULT_SERVER"]
