"""xAPI: each organization's learning record store, and the outbox of statements sent to it.

A statement names its actor (an account id or an address, by the endpoint's actor mode) inside its JSON, with no
key to the person a query could follow: an erasure step clears the statements still waiting that name the erased
person, and retention removes sent statements after their days.
"""
from lms.privacy.registry import Erase, Row, personal_data

personal_data(
    "courses.LrsEndpoint",
    people={"created_by": Row.DETACH},
    fields={"created_at": ("when they set the endpoint up", Erase.KEEP)},
    purpose="Where an organization's xAPI statements go; who set it up.",
)

personal_data(
    "courses.XapiStatement",
    people={},
    fields={"statement": ("an xAPI statement: the learner as actor, what they did", Erase.STEP)},
    purpose="Statements about learners' activity waiting for, or sent to, the organization's LRS.",
    retention="xapi_outbox",
)
