"""The agency network (issue #16): each device runs a local ``nats-server`` as a leaf node of the agency's hub,
events go up through JetStream streams the hub sources, and what a device must receive comes back the same way.

Beside the services: this package may import ``services`` and ``store``; the client and the CLI import it.
``server`` runs one ``nats-server`` child process; ``identity`` turns a device's Ed25519 key into its NATS
identity; ``hub`` and ``device`` write the two ends' configurations; ``streams`` declares the streams; ``outbox``
and ``sync`` send a device's events up; ``ingest`` folds them into the agency's database at the hub; ``service``
runs the hub. ``evidence`` carries the evidence files the events name: each device's object store bucket, which
the hub sources, checked by SHA-256 before a file enters the agency's store.
"""
