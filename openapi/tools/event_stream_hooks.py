"""Schemathesis hooks of `openapi/check fuzz`: reading `text/event-stream` responses.

The spec describes an event stream as an array (format `event-stream`) of the events' data. This
deserializer reads the stream as the WHATWG server-sent events format defines it and gives back
the JSON data of each event, so that Schemathesis checks every event against that array's
items; a malformed stream or event fails the response.
"""

import json

import schemathesis


@schemathesis.deserializer("text/event-stream")
def read_event_stream(ctx, response):
    text = response.content.decode("utf-8")
    events, data = [], []
    for line in text.split("\n"):
        if line == "":
            if data:
                events.append(json.loads("\n".join(data)))
                data = []
            continue
        if line.startswith(":"):
            continue
        field, _, value = line.partition(":")
        value = value[1:] if value.startswith(" ") else value
        if field == "data":
            data.append(value)
        elif field not in ("id", "event", "retry"):
            raise ValueError(f"not a server-sent events field: {field!r}")
    if data:
        raise ValueError("the stream ends inside an event")
    return events
