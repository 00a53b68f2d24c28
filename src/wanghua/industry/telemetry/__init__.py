"""Live telemetry: decode (payload → messages), pipeline (validate, dead letters, snapshot, stops, alarms,
rollups; one transaction per batch), writer (batched sample writes on the (tag, ts) key), evaluator (the alarms'
system steps), worker (MQTT: acknowledged only after the batch is committed)."""
